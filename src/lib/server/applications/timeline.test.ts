import { describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { dbPerTest } from '../../../../tests/helpers/db';
import { juryFixture, type Fixture } from '../../../../tests/helpers/jury';
import type { DB } from '../db/client';
import { applications } from '../db/schema';
import { createRound } from '../review/rounds';
import { applicationTimeline } from './timeline';

let db: DB;
let f: Fixture;
dbPerTest((d) => (f = juryFixture((db = d))));

const status = (id: string, s: 'submitted' | 'in_review' | 'finalist' | 'winner' | 'not_selected') => db.update(applications).set({ status: s }).where(eq(applications.id, id)).run();
const labels = (id: string) => applicationTimeline(db, id).map((s) => `${s.label}${s.state === 'done' ? '' : s.state === 'current' ? '*' : '?'}`);

describe('the timeline of an application shows only the stages it passed', () => {
	it('without a final: Подана → На экспертизе → Не прошла отбор, no «Финалист»', () => {
		const a = f.app();
		expect(labels(a)).toEqual(['Подана*', 'На экспертизе?', 'Итог?']);
		createRound(db, f.contestId, { number: 1 });
		status(a, 'in_review');
		expect(labels(a)).toEqual(['Подана', 'На экспертизе*', 'Итог?']);
		status(a, 'not_selected');
		expect(labels(a)).toEqual(['Подана', 'На экспертизе', 'Не прошла отбор*']);
		const b = f.app();
		status(b, 'winner');
		expect(labels(b)).toEqual(['Подана', 'На экспертизе', 'Победитель*']);
	});

	it('a finalist keeps the stage after the decision; an entry left out of the final does not get it', () => {
		const a = f.app();
		const b = f.app();
		createRound(db, f.contestId, { number: 1 });
		createRound(db, f.contestId, { number: 2, applicationIds: [a] });
		status(a, 'finalist');
		status(b, 'in_review');
		expect(labels(a)).toEqual(['Подана', 'На экспертизе', 'Финалист*', 'Итог?']);
		status(a, 'winner');
		status(b, 'not_selected');
		expect(labels(a)).toEqual(['Подана', 'На экспертизе', 'Финалист', 'Победитель*']);
		expect(labels(b)).toEqual(['Подана', 'На экспертизе', 'Не прошла отбор*']);
	});
});
