export const APPLICATION_STATUS_TITLE = {
	draft: 'Черновик',
	submitted: 'Подана',
	withdrawn: 'Отозвана',
	in_review: 'На экспертизе',
	finalist: 'Финалист',
	winner: 'Победитель',
	not_selected: 'Не прошла отбор'
} as const;
export const APPLICATION_STATUS_TONE = {
	draft: 'warn',
	submitted: 'ok',
	withdrawn: 'err',
	in_review: '',
	finalist: 'ok',
	winner: 'ok',
	not_selected: ''
} as const;
