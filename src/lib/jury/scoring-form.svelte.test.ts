import { describe, expect, it } from 'vitest';
import { DIGIT_JOIN_MS, keyCommand, levelFor, scaleOf, ScoringForm, type KeyLike, type ScoringCriterion, type ScoringInit } from './scoring-form.svelte';

const CRITERIA: ScoringCriterion[] = [
	{ id: 'a', title: 'Актуальность', weight: 2, scaleMin: 0, scaleMax: 10, levels: [{ value: 0, label: 'нет' }, { value: 5, label: 'частично' }, { value: 9, label: 'полностью' }] },
	{ id: 'b', title: 'Результаты', weight: 1, scaleMin: 1, scaleMax: 5, levels: [] }
];

function form(over: Partial<ScoringInit> = {}) {
	return new ScoringForm({
		criteria: CRITERIA,
		scores: {},
		assignment: { comment: '', feedback: '', version: 3, status: 'assigned', updatedAt: 1000 },
		open: true,
		...over
	});
}

const key = (k: Partial<KeyLike>): KeyLike => ({ key: '', code: '', ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...k });
const where = { typing: false, inRubric: true };

describe('ScoringForm: scores, progress and what is unsaved', () => {
	it('starts at the first unscored criterion with the saved values; nothing is unsaved', () => {
		const f = form({ scores: { a: 7 } });
		expect(f.values).toEqual({ a: 7, b: null });
		expect(f.current).toBe(1);
		expect(f.scoredCount).toBe(1);
		expect(f.complete).toBe(false);
		expect(f.dirty).toBe(false);
		expect(f.weighted).toBeNull();
	});

	it('a score, a text or a cleared score makes the screen dirty; the weighted hint appears once complete', () => {
		const f = form();
		f.set('a', 10);
		expect(f.dirty).toBe(true);
		f.set('b', 3);
		expect(f.complete).toBe(true);
		// (2·1 + 1·0.5) / 3 · 100
		expect(f.weighted).toBeCloseTo(83.33, 2);
		f.set('b', null);
		expect(f.weighted).toBeNull();
		const g = form({ assignment: { comment: 'старый', feedback: '', version: 1, status: 'draft', updatedAt: 0 } });
		g.comment = 'старый  ';
		expect(g.dirty).toBe(false); // whitespace around the text is not a change
		g.feedback = 'Хорошая практика';
		expect(g.dirty).toBe(true);
	});

	it('a refused post without JavaScript keeps what was typed, the errors and the stored values', () => {
		const stored = { version: 5, status: 'draft', comment: 'из другой вкладки', feedback: '', scores: { a: 2 }, updatedAt: 2000 };
		const f = form({ refused: { message: 'Оценку изменили в другой вкладке', errors: { b: 'Поставьте балл' }, stored, echo: { comment: 'моё', feedback: 'отзыв' } } });
		expect(f.comment).toBe('моё');
		expect(f.feedback).toBe('отзыв');
		expect(f.message).toEqual({ kind: 'error', text: 'Оценку изменили в другой вкладке' });
		expect(f.errors).toEqual({ b: 'Поставьте балл' });
		expect(f.conflict).toEqual(stored);
		expect(f.dirty).toBe(true);
	});
});

describe('ScoringForm: digits typed on the keyboard', () => {
	it('a digit scores the current criterion; 1 then 0 quickly makes 10; slowly it is 0', () => {
		const f = form();
		expect(f.typeDigit('7', 0)).toBe(true);
		expect(f.values.a).toBe(7);
		expect(f.typeDigit('1', 10_000)).toBe(true);
		expect(f.typeDigit('0', 10_000 + DIGIT_JOIN_MS - 1)).toBe(true);
		expect(f.values.a).toBe(10);
		f.typeDigit('1', 20_000);
		f.typeDigit('0', 20_000 + DIGIT_JOIN_MS + 1);
		expect(f.values.a).toBe(0);
	});

	it('a digit off the scale is refused with the scale named; joining never goes past the maximum', () => {
		const f = form();
		f.move(1);
		expect(f.typeDigit('0', 0)).toBe(false);
		expect(f.values.b).toBeNull();
		expect(f.message).toEqual({ kind: 'error', text: '«Результаты»: шкала от 1 до 5' });
		f.typeDigit('4', 1000);
		f.typeDigit('5', 1100); // 45 > 5: a new score 5
		expect(f.values.b).toBe(5);
	});

	it('a digit clears the error of its criterion; nothing is typed when the round is closed', () => {
		const f = form({ refused: { errors: { a: 'Поставьте балл' } } });
		f.typeDigit('3', 0);
		expect(f.errors).toEqual({});
		const closed = form({ open: false });
		expect(closed.typeDigit('3', 0)).toBe(false);
		expect(closed.values.a).toBeNull();
		closed.clearCurrent();
		expect(closed.dirty).toBe(false);
	});

	it('arrows stop at the first and the last criterion; Delete clears the current score', () => {
		const f = form({ scores: { a: 4, b: 2 } });
		expect(f.current).toBe(0);
		expect(f.move(-1)).toBe(0);
		expect(f.move(1)).toBe(1);
		expect(f.move(1)).toBe(1);
		f.clearCurrent();
		expect(f.values.b).toBeNull();
		expect(f.dirty).toBe(true);
	});
});

describe('ScoringForm: saving, conflicts and leaving', () => {
	const saved = { version: 4, status: 'submitted', comment: 'Итог', feedback: 'Спасибо', scores: { a: 9, b: 4 }, updatedAt: 5000, intent: 'submit' };

	it('a successful save takes the server’s version, status and values, and says what happened', () => {
		const f = form();
		f.set('a', 9);
		f.set('b', 4);
		f.comment = 'Итог ';
		f.feedback = 'Спасибо';
		f.sending();
		expect(f.busy).toBe(true);
		expect(f.savedAs(saved)).toBeNull();
		expect(f).toMatchObject({ busy: false, version: 4, status: 'submitted', updatedAt: 5000, comment: 'Итог', conflict: null, errors: {} });
		expect(f.dirty).toBe(false);
		expect(f.message).toEqual({ kind: 'ok', text: 'Оценка отправлена.' });
		f.sending();
		f.savedAs({ ...saved, intent: 'draft' });
		expect(f.message?.text).toBe('Изменения сохранены.');
		const g = form();
		g.set('a', 1);
		g.savedAs({ ...saved, status: 'draft', scores: { a: 1 }, intent: 'draft' });
		expect(g.message?.text).toBe('Черновик сохранён.');
	});

	it('J/K with unsaved changes saves a draft first, then goes where it was asked', () => {
		const f = form();
		expect(f.leaveFor('/jury/assignments/next')).toBe(false); // nothing unsaved: just go
		f.set('a', 5);
		expect(f.guardsLeaving).toBe(true);
		expect(f.leaveFor('/jury/assignments/next')).toBe(true);
		expect(f.guardsLeaving).toBe(false); // the draft save leads the way, no «leave?» question
		expect(f.savedAs({ ...saved, status: 'draft', scores: { a: 5 }, intent: 'draft' })).toBe('/jury/assignments/next');
		expect(f.pendingNav).toBeNull();
	});

	it('a refused save forgets the pending navigation and shows the errors; a lost connection keeps the values', () => {
		const f = form();
		f.set('a', 5);
		f.leaveFor('/x');
		f.sending();
		f.refused({ message: 'Не все критерии оценены', errors: { b: 'Поставьте балл' } });
		expect(f).toMatchObject({ busy: false, pendingNav: null, errors: { b: 'Поставьте балл' }, message: { kind: 'error', text: 'Не все критерии оценены' } });
		f.sending();
		f.unreachable();
		expect(f.busy).toBe(false);
		expect(f.message?.text).toMatch(/нет связи с сервером/);
		expect(f.values.a).toBe(5);
	});

	it('a 409 shows the stored values; «Взять сохранённые» loads them, «Оставить мои» keeps the screen and takes the version', () => {
		const stored = { version: 7, status: 'draft', comment: 'их', feedback: 'их отзыв', scores: { a: 1 }, updatedAt: 9000 };
		const f = form();
		f.set('a', 8);
		f.comment = 'моё';
		f.refused({ message: 'Оценку изменили в другой вкладке', stored });
		expect(f.conflict).toEqual(stored);
		f.loadStored();
		expect(f).toMatchObject({ values: { a: 1, b: null }, comment: 'их', feedback: 'их отзыв', version: 7, conflict: null });
		expect(f.dirty).toBe(false);
		expect(f.message?.text).toBe('Загружены сохранённые значения.');

		const g = form();
		g.set('a', 8);
		g.refused({ stored });
		g.keepMine();
		expect(g).toMatchObject({ values: { a: 8, b: null }, version: 7, status: 'draft', conflict: null });
		expect(g.dirty).toBe(true);
		expect(g.message?.text).toMatch(/Ваши значения остались на экране/);
	});
});

describe('the keyboard of the scoring screen', () => {
	it('chords work everywhere, plain keys only outside text fields', () => {
		expect(keyCommand(key({ key: 'Enter', ctrlKey: true }), { typing: true, inRubric: false })).toEqual({ type: 'submit' });
		expect(keyCommand(key({ key: 'Enter', metaKey: true }), where)).toEqual({ type: 'submit' });
		expect(keyCommand(key({ key: 's', code: 'KeyS', ctrlKey: true }), { typing: true, inRubric: false })).toEqual({ type: 'draft' });
		expect(keyCommand(key({ key: 'ArrowRight', altKey: true }), { typing: true, inRubric: false })).toEqual({ type: 'next' });
		expect(keyCommand(key({ key: 'ArrowLeft', altKey: true }), where)).toEqual({ type: 'prev' });
		expect(keyCommand(key({ key: 'j', code: 'KeyJ' }), { typing: true, inRubric: false })).toBeNull();
		expect(keyCommand(key({ key: 'о', code: 'KeyJ' }), where)).toEqual({ type: 'next' }); // Russian layout: by the key's place
		expect(keyCommand(key({ key: 'л', code: 'KeyK' }), where)).toEqual({ type: 'prev' });
		expect(keyCommand(key({ key: '7', code: 'Digit7' }), where)).toEqual({ type: 'digit', digit: '7' });
		expect(keyCommand(key({ key: '7', code: 'Digit7', ctrlKey: true }), where)).toBeNull();
		expect(keyCommand(key({ key: '?', code: 'Slash', shiftKey: true }), where)).toEqual({ type: 'help' });
		expect(keyCommand(key({ key: ',', code: 'Slash', shiftKey: true }), where)).toEqual({ type: 'help' });
	});

	it('arrows and Delete act on a criterion only inside the rubric', () => {
		expect(keyCommand(key({ key: 'ArrowDown' }), where)).toEqual({ type: 'move', delta: 1 });
		expect(keyCommand(key({ key: 'ArrowUp' }), where)).toEqual({ type: 'move', delta: -1 });
		expect(keyCommand(key({ key: 'Delete' }), where)).toEqual({ type: 'clear' });
		expect(keyCommand(key({ key: 'Backspace' }), where)).toEqual({ type: 'clear' });
		expect(keyCommand(key({ key: 'ArrowDown' }), { typing: false, inRubric: false })).toBeNull();
		expect(keyCommand(key({ key: 'Delete' }), { typing: false, inRubric: false })).toBeNull();
	});
});

describe('rubric helpers', () => {
	it('the level of a value is the highest described level at or below it', () => {
		expect(levelFor(CRITERIA[0], null)).toBe('');
		expect(levelFor(CRITERIA[0], 0)).toBe('нет');
		expect(levelFor(CRITERIA[0], 6)).toBe('частично');
		expect(levelFor(CRITERIA[0], 10)).toBe('полностью');
		expect(levelFor(CRITERIA[1], 3)).toBe('');
		expect(scaleOf(CRITERIA[1])).toEqual([1, 2, 3, 4, 5]);
	});
});
