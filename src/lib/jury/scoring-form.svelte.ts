/**
 * The state and behaviour of the juror's scoring screen (`routes/jury/assignments/[id]`), apart
 * from its markup: the scores being typed, the two texts, what was last saved, the messages, the
 * conflict with a save from another tab, and the keyboard. The component renders it and does
 * what only a page can (focus, submit the form, navigate); everything here is tested without a
 * browser (scoring-form.svelte.test.ts).
 *
 * Versions: every save names the version it was loaded at. A save from a stale tab comes back as
 * a 409 with the stored values (`conflict`); the juror takes them («Взять сохранённые») or keeps
 * what is on the screen («Оставить мои»: the next save then names the stored version and
 * replaces it).
 */

export interface ScoringCriterion {
	id: string;
	title: string;
	description?: string | null;
	weight: number;
	scaleMin: number;
	scaleMax: number;
	levels: { value: number; label: string }[];
}

/** What the server holds for the assignment (sent back with a 409). */
export interface StoredScores {
	version: number;
	status: string;
	comment: string;
	feedback: string;
	scores: Record<string, number>;
	updatedAt: number;
}

/** A successful save. */
export interface SavedScores extends StoredScores {
	intent: string;
}

/** A refused save: the message, errors by criterion id (or `comment`, `feedback`), the stored values on a 409. */
export interface RefusedSave {
	message?: string;
	errors?: Record<string, string>;
	stored?: StoredScores | null;
}

export type Message = { kind: 'ok' | 'error'; text: string } | null;

export interface ScoringInit {
	criteria: ScoringCriterion[];
	/** Scores saved so far, by criterion id. */
	scores: Record<string, number>;
	assignment: { comment: string; feedback: string; version: number; status: string; updatedAt: number };
	/** The round takes scores (open and before its deadline). */
	open: boolean;
	/** Without JavaScript a refused post comes back through the page's `form`: what was typed stays. */
	refused?: (RefusedSave & { echo?: { comment: string; feedback?: string } | null }) | null;
}

/** What a key press asks for (or null: not ours). */
export type KeyCommand =
	| { type: 'submit' }
	| { type: 'draft' }
	| { type: 'next' }
	| { type: 'prev' }
	| { type: 'digit'; digit: string }
	| { type: 'help' }
	| { type: 'move'; delta: 1 | -1 }
	| { type: 'clear' };

export interface KeyLike {
	key: string;
	code: string;
	ctrlKey: boolean;
	metaKey: boolean;
	altKey: boolean;
	shiftKey: boolean;
}

/**
 * The keyboard of the scoring screen (README, «Клавиатура на экране оценки»). `typing`: the focus
 * is in a text field or a select (only the Ctrl/Alt chords work there); `inRubric`: in a
 * criterion (arrows and Delete act on it).
 */
export function keyCommand(e: KeyLike, where: { typing: boolean; inRubric: boolean }): KeyCommand | null {
	const mod = e.ctrlKey || e.metaKey;
	if (mod && e.key === 'Enter') return { type: 'submit' };
	if (mod && e.code === 'KeyS') return { type: 'draft' };
	if (e.altKey && !e.ctrlKey && (e.key === 'ArrowRight' || e.key === 'ArrowLeft')) return { type: e.key === 'ArrowRight' ? 'next' : 'prev' };
	if (where.typing || mod || e.altKey) return null;
	if (e.code === 'KeyJ') return { type: 'next' };
	if (e.code === 'KeyK') return { type: 'prev' };
	if (/^[0-9]$/.test(e.key)) return { type: 'digit', digit: e.key };
	if (e.key === '?' || (e.shiftKey && e.code === 'Slash')) return { type: 'help' };
	if (where.inRubric && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) return { type: 'move', delta: e.key === 'ArrowDown' ? 1 : -1 };
	if (where.inRubric && (e.key === 'Backspace' || e.key === 'Delete')) return { type: 'clear' };
	return null;
}

/** The description of the highest level at or below `v` ('' when none). */
export function levelFor(c: ScoringCriterion, v: number | null): string {
	if (v == null) return '';
	let best = '';
	for (const l of c.levels) if (l.value <= v) best = l.label;
	return best;
}

/** Every value of the criterion's scale. */
export function scaleOf(c: ScoringCriterion): number[] {
	return Array.from({ length: c.scaleMax - c.scaleMin + 1 }, (_, i) => c.scaleMin + i);
}

/** Two digits typed within this many milliseconds on one criterion make one number (1, 0 → 10). */
export const DIGIT_JOIN_MS = 900;

type Values = Record<string, number | null>;

export class ScoringForm {
	readonly criteria: ScoringCriterion[];
	readonly open: boolean;

	values = $state<Values>({});
	comment = $state('');
	feedback = $state('');
	version = $state(0);
	status = $state('');
	updatedAt = $state(0);
	/** What the server holds as far as this screen knows (for «unsaved changes»). */
	saved = $state.raw<{ values: Values; comment: string; feedback: string }>({ values: {}, comment: '', feedback: '' });
	message = $state<Message>(null);
	errors = $state<Record<string, string>>({});
	/** The stored values after a 409: shown side by side with the screen's. */
	conflict = $state<StoredScores | null>(null);
	busy = $state(false);
	/** Index of the criterion the keyboard acts on. */
	current = $state(0);
	showHelp = $state(false);
	/** Where to go once the draft being saved is saved (J/K with unsaved changes). */
	pendingNav: string | null = null;
	#lastDigit: { at: number; index: number; text: string } | null = null;

	scoredCount = $derived.by(() => this.criteria.filter((c) => this.values[c.id] != null).length);
	complete = $derived.by(() => this.scoredCount === this.criteria.length);
	dirty = $derived.by(
		() =>
			this.comment.trim() !== this.saved.comment ||
			this.feedback.trim() !== this.saved.feedback ||
			this.criteria.some((c) => (this.values[c.id] ?? null) !== (this.saved.values[c.id] ?? null))
	);
	/** Weighted mean on a 0–100 scale: a hint for the juror, the results module decides. */
	weighted = $derived.by(() => {
		const total = this.criteria.reduce((s, c) => s + c.weight, 0);
		if (!this.complete || !total) return null;
		return (this.criteria.reduce((s, c) => s + (c.weight * ((this.values[c.id] as number) - c.scaleMin)) / (c.scaleMax - c.scaleMin), 0) / total) * 100;
	});

	constructor(init: ScoringInit) {
		this.criteria = init.criteria;
		this.open = init.open;
		const values = this.#valuesOf(init.scores);
		const a = init.assignment;
		const r = init.refused;
		this.values = { ...values };
		this.comment = r?.echo?.comment ?? a.comment;
		this.feedback = r?.echo?.feedback ?? a.feedback;
		this.version = a.version;
		this.status = a.status;
		this.updatedAt = a.updatedAt;
		this.saved = { values, comment: a.comment, feedback: a.feedback };
		this.message = r?.message ? { kind: 'error', text: r.message } : null;
		this.errors = r?.errors ?? {};
		this.conflict = r?.stored ?? null;
		// The first criterion without a score.
		this.current = Math.max(0, this.criteria.findIndex((c) => values[c.id] == null));
	}

	#valuesOf(scores: Record<string, number>): Values {
		return Object.fromEntries(this.criteria.map((c) => [c.id, scores[c.id] ?? null]));
	}

	get currentCriterion(): ScoringCriterion | undefined {
		return this.criteria[this.current];
	}

	/** Sets a score (or clears it with null); its error goes. */
	set(id: string, v: number | null) {
		this.values[id] = v;
		delete this.errors[id];
	}

	/**
	 * A digit typed on the current criterion: a score, or with the digit typed just before it on
	 * the same criterion a two-digit score (1, 0 → 10) when the scale has it. Returns false (and
	 * says why) when the value is off the scale.
	 */
	typeDigit(d: string, now = Date.now()): boolean {
		const c = this.currentCriterion;
		if (!c || !this.open) return false;
		let text = d;
		const last = this.#lastDigit;
		if (last && last.index === this.current && now - last.at < DIGIT_JOIN_MS && Number(last.text + d) <= c.scaleMax) text = last.text + d;
		this.#lastDigit = { at: now, index: this.current, text };
		const v = Number(text);
		if (v < c.scaleMin || v > c.scaleMax) {
			this.message = { kind: 'error', text: `«${c.title}»: шкала от ${c.scaleMin} до ${c.scaleMax}` };
			return false;
		}
		this.set(c.id, v);
		return true;
	}

	/** Moves the keyboard to the previous or next criterion (stops at the ends). */
	move(delta: 1 | -1): number {
		this.current = Math.min(this.criteria.length - 1, Math.max(0, this.current + delta));
		return this.current;
	}

	clearCurrent() {
		const c = this.currentCriterion;
		if (c && this.open) this.set(c.id, null);
	}

	/** Leaving for `url`: with unsaved changes of an open round the draft is saved first (true). */
	leaveFor(url: string): boolean {
		if (!(this.dirty && this.open)) return false;
		this.pendingNav = url;
		return true;
	}

	/** Should leaving the page (not by J/K) ask first? */
	get guardsLeaving(): boolean {
		return this.dirty && this.open && !this.pendingNav;
	}

	/** A save was sent. */
	sending() {
		this.busy = true;
		this.message = null;
	}

	/** The server kept the scores: returns where to go next, if a navigation waited for it. */
	savedAs(s: SavedScores): string | null {
		this.busy = false;
		this.version = s.version;
		this.status = s.status;
		this.updatedAt = s.updatedAt;
		this.comment = s.comment;
		this.feedback = s.feedback;
		this.saved = { values: this.#valuesOf(s.scores), comment: s.comment, feedback: s.feedback };
		this.errors = {};
		this.conflict = null;
		this.message = { kind: 'ok', text: s.intent === 'submit' ? 'Оценка отправлена.' : s.status === 'submitted' ? 'Изменения сохранены.' : 'Черновик сохранён.' };
		const target = this.pendingNav;
		this.pendingNav = null;
		return target;
	}

	/** The server refused (validation, a closed round, a stale version with the stored values). */
	refused(d: RefusedSave) {
		this.busy = false;
		this.pendingNav = null;
		this.errors = d.errors ?? {};
		this.conflict = d.stored ?? null;
		this.message = { kind: 'error', text: d.message ?? 'Не удалось сохранить' };
	}

	/** No answer (network, server error): nothing typed is lost. */
	unreachable() {
		this.busy = false;
		this.pendingNav = null;
		this.message = { kind: 'error', text: 'Не удалось сохранить: нет связи с сервером или он не ответил. Ваши оценки остались на экране — попробуйте ещё раз.' };
	}

	/** «Взять сохранённые»: the screen shows what the server holds. */
	loadStored() {
		const c = this.conflict;
		if (!c) return;
		this.values = this.#valuesOf(c.scores);
		this.comment = c.comment;
		this.feedback = c.feedback;
		this.version = c.version;
		this.status = c.status;
		this.saved = { values: { ...this.values }, comment: c.comment, feedback: c.feedback };
		this.conflict = null;
		this.message = { kind: 'ok', text: 'Загружены сохранённые значения.' };
	}

	/** «Оставить мои»: the screen keeps its values; the next save replaces the stored ones. */
	keepMine() {
		const c = this.conflict;
		if (!c) return;
		this.version = c.version;
		this.status = c.status;
		this.conflict = null;
		this.message = { kind: 'ok', text: 'Ваши значения остались на экране — сохраните их, чтобы заменить сохранённые.' };
	}
}
