/**
 * The words of the interface, in one place: every page, message, export and letter takes the name
 * of a state from here, so that one state never has two names («Подготовка» / «Черновик»).
 * Shared by the server and the browser (no imports).
 */

/** Phases of a contest. */
export const PHASE_TITLE = {
	draft: 'Черновик',
	open: 'Приём заявок',
	review: 'Экспертиза',
	results: 'Подведение итогов',
	published: 'Итоги опубликованы'
} as const;

/** Statuses of an application. */
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

/** Statuses of a review round. A round that jurors cannot see yet is a draft, like a contest. */
export const ROUND_STATUS_TITLE = { draft: 'Черновик', active: 'Идёт оценка', closed: 'Закрыт' } as const;

/** Tracks of a nomination: one entry, and a group of entries (headings of the winners page). */
export const TRACK_TITLE = { mentor: 'Наставник', practice: 'Командная практика' } as const;
export const TRACK_GROUP_TITLE = { mentor: 'Наставники', practice: 'Командные практики' } as const;

/** Statuses of one juror's assignment. */
export const ASSIGNMENT_STATUS_TITLE = {
	assigned: 'Не начата',
	draft: 'Черновик',
	submitted: 'Оценка отправлена',
	recused: 'Самоотвод',
	removed: 'Снято'
} as const;
export const ASSIGNMENT_STATUS_TONE = { assigned: '', draft: 'warn', submitted: 'ok', recused: 'err', removed: 'err' } as const;

/** Statuses of a library practice. */
export const PRACTICE_STATUS_TITLE = { draft: 'Черновик', published: 'Опубликована', unpublished: 'Снята с публикации' } as const;

/** The stages of an application's timeline in the applicant's cabinet. */
export const TIMELINE_TITLE = { submitted: 'Подана', in_review: 'На экспертизе', finalist: 'Финалист', result: 'Итог' } as const;

/** Who reads what a juror writes. */
export const JUROR_TEXT_TITLE = { comment: 'Комментарий для организаторов', feedback: 'Отзыв для заявителя' } as const;

/** Joins the parts of a short description with « · » (no part is left empty, spaces on both sides). */
export function dotted(...parts: (string | null | undefined | false)[]): string {
	return parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '').join(' · ');
}
