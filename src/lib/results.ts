/** Words and number formatting of the results console, shared by server and browser. */

// Names of states (rounds, tracks, statuses) live in $lib/glossary.

/** How the official ranking makes jurors comparable (server/results/compute.ts `NormalizationMode`). */
export const NORMALIZATION_MODES = ['none', 'zscore', 'model'] as const;
export type Normalization = (typeof NORMALIZATION_MODES)[number];

/** The organizer's names of the methods (settings form, console, protocol, exports). */
export const NORMALIZATION_TITLE: Record<Normalization, string> = {
	none: 'Без нормализации',
	zscore: 'Z-оценка по жюри',
	model: 'Модель строгости жюри'
};

/** One line each: what the method does, in the organizer's words. */
export const NORMALIZATION_HINT: Record<Normalization, string> = {
	none: 'Балл заявки — среднее исходных итогов её экспертов; строгость экспертов не учитывается.',
	zscore: 'Итоги каждого эксперта приводятся к его среднему и разбросу по туру: строгие и мягкие эксперты сопоставимы, если видели похожие по силе работы.',
	model: 'Строгость и шкала каждого эксперта оцениваются по работам, которые он оценивал вместе с коллегами: точнее, когда эксперты видят номинации и регионы разной силы.'
};

// One formatter each: constructing an Intl.NumberFormat costs far more than formatting with it
// (a 2 400-row protocol formats ~5 000 numbers).
const scoreFormat = new Intl.NumberFormat('ru-RU', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percentFormat = new Intl.NumberFormat('ru-RU', { style: 'percent', maximumFractionDigits: 0 });
const minutesFormat = new Intl.NumberFormat('ru-RU', { maximumFractionDigits: 1 });

/** Two decimals with a decimal comma; «—» for null. */
export function fmtScore(x: number | null | undefined): string {
	if (x === null || x === undefined || !Number.isFinite(x)) return '—';
	return scoreFormat.format(Math.round(x * 100) / 100);
}

export function fmtPercent(x: number | null | undefined): string {
	if (x === null || x === undefined) return '—';
	return percentFormat.format(x);
}

export function fmtMinutes(x: number | null | undefined): string {
	if (x === null || x === undefined) return '—';
	return `${minutesFormat.format(x)} мин`;
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
