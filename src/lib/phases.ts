export const PHASE_TITLE = {
	draft: 'Черновик',
	open: 'Приём заявок',
	review: 'Экспертиза',
	results: 'Подведение итогов',
	published: 'Итоги опубликованы'
} as const;
