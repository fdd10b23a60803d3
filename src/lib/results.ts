/** Words and number formatting of the results console, shared by server and browser. */

// Names of states (rounds, tracks, statuses) live in $lib/glossary.

/** Two decimals with a decimal comma; «—» for null. */
export function fmtScore(x: number | null | undefined): string {
	if (x === null || x === undefined || !Number.isFinite(x)) return '—';
	return new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Math.round(x * 100) / 100);
}

export function fmtPercent(x: number | null | undefined): string {
	if (x === null || x === undefined) return '—';
	return new Intl.NumberFormat('ru-RU', { style: 'percent', maximumFractionDigits: 0 }).format(x);
}

export function fmtMinutes(x: number | null | undefined): string {
	if (x === null || x === undefined) return '—';
	return `${new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 1 }).format(x)} мин`;
}

/** Russian labels of audit actions (unknown ones are shown as their code). */
export const AUDIT_ACTION_TITLE: Record<string, string> = {
	'assignment.add': 'Назначение эксперта',
	'assignment.remove': 'Снятие назначения',
	'assignment.move': 'Перенос назначения',
	'assignment.score': 'Оценка эксперта',
	'application.status': 'Смена статуса заявки',
	'round.create': 'Создание тура',
	'round.update': 'Изменение тура',
	'round.shortlist': 'Отбор в финал',
	'round.status': 'Статус тура',
	'routing.apply': 'Распределение заявок',
	'routing.entry': 'Распределение заявки',
	'results.winners': 'Решение: победители',
	'contest.settings': 'Настройки конкурса',
	'contest.create': 'Создание конкурса',
	'contest.update': 'Изменение конкурса',
	'contest.phase': 'Этап конкурса',
	'mail.queue': 'Рассылка решений: постановка',
	'mail.deliver': 'Рассылка решений: отправка',
	'mail.request': 'Рассылка решений: «отправить сейчас»',
	'conflict.create': 'Конфликт интересов',
	'conflict.update': 'Конфликт интересов (изменение)'
};

export const AUDIT_ENTITY_TITLE: Record<string, string> = {
	application: 'Заявка',
	assignment: 'Назначение',
	round: 'Тур',
	contest: 'Конкурс',
	user: 'Пользователь',
	conflict: 'Конфликт интересов',
	asset: 'Файл',
	practice: 'Практика',
	score: 'Оценка',
	session: 'Сеанс'
};
