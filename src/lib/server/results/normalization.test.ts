/**
 * The normalization method through the whole pipeline (issue 16, the results side): settings →
 * load → cache → console pages → exports, on a real migrated SQLite (tests/helpers/results-data.ts),
 * and the model's degraded cases as the organizer sees them (notes in the page data, never NaN).
 */
import { describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { PassThrough } from 'node:stream';
import { and, eq, inArray } from 'drizzle-orm';
import { dbPerTest } from '../../../../tests/helpers/db';
import { seedResultsContest, type SeededResults } from '../../../../tests/helpers/results-data';
import type { DB } from '../db/client';
import { applications, assignments, contests, criteria, roundEntries, scores } from '../db/schema';
import { COMPETING } from '../review/rounds';
import { newId } from '../ids';
import { contestSettings, contestSettingsSchema } from '../contests/settings';
import { resultsSettingsSchema } from '../../schemas/results';
import { computeResults, type Criterion, type EntryInfo, type NormalizationMode, type ResultsOutput, type Review } from './compute';
import { computeRound, loadRound, roundResults } from './load';
import { cachedResults, clearResultsCache } from './cache';
import { parseResultsQuery, protocolPage, resultsPage, roundModelView } from './console';
import { updateResultsSettings } from './settings-guard';
import { entriesCsv, entriesXlsx, protocolXlsx } from './exports';
import { jurorWords, pageModelJurors, pointsText, type JurorModelRow, type ModelView } from './model-view';
import type { JurorEstimate } from './model';

let db: DB;
let s: SeededResults;
dbPerTest((d) => (s = seedResultsContest((db = d))));

const org = () => ({ id: newId(), role: 'organizer' as const, ip: '127.0.0.1' });

function setMethod(normalization: NormalizationMode) {
	const c = contestSettings(db.select().from(contests).where(eq(contests.id, s.contestId)).get()!.settings);
	return updateResultsSettings(db, org(), s.contestId, {
		normalization,
		disagreementThreshold: c.disagreementThreshold,
		winnersPerNomination: c.winnersPerNomination,
		jurorsPerEntry: c.jurorsPerEntry,
		releaseFeedback: c.releaseFeedback,
		calibration: ''
	});
}

/**
 * computeResults called directly on rows read here with plain SQL — not through loadRound — per
 * group of nominations sharing a rubric (what the portal documents), for the official ranking.
 */
function direct(mode: NormalizationMode): ResultsOutput[] {
	const apps = db
		.select({ id: applications.id, nominationId: applications.nominationId, number: applications.number, submittedAt: applications.submittedAt })
		.from(roundEntries)
		.innerJoin(applications, eq(applications.id, roundEntries.applicationId))
		.where(and(eq(roundEntries.roundId, s.roundId), inArray(applications.status, [...COMPETING])))
		.all();
	const crit = db.select().from(criteria).where(eq(criteria.contestId, s.contestId)).all();
	const asg = db.select().from(assignments).where(and(eq(assignments.roundId, s.roundId), inArray(assignments.status, ['assigned', 'draft', 'submitted']))).all();
	const sc = db.select().from(scores).where(inArray(scores.assignmentId, asg.map((a) => a.id))).all();
	const groups = new Map<string, string[]>();
	for (const nom of new Set(apps.map((a) => a.nominationId))) {
		const key = crit
			.filter((c) => c.nominationId === null || c.nominationId === nom)
			.map((c) => c.id)
			.sort()
			.join(',');
		groups.set(key, [...(groups.get(key) ?? []), nom]);
	}
	return [...groups.entries()].map(([key, noms]) => {
		const ids = new Set(key.split(','));
		const entries: EntryInfo[] = apps.filter((a) => noms.includes(a.nominationId)).map((a) => ({ id: a.id, nominationId: a.nominationId, number: a.number!, submittedAt: a.submittedAt!.toISOString() }));
		const inGroup = new Set(entries.map((e) => e.id));
		const criteriaIn: Criterion[] = crit.filter((c) => ids.has(c.id)).map((c) => ({ id: c.id, weight: c.weight, scaleMin: c.scaleMin, scaleMax: c.scaleMax }));
		const reviews: Review[] = asg
			.filter((a) => inGroup.has(a.applicationId))
			.map((a) => ({
				assignmentId: a.id,
				applicationId: a.applicationId,
				jurorId: a.jurorId,
				submitted: a.status === 'submitted',
				scores: Object.fromEntries(sc.filter((x) => x.assignmentId === a.id).map((x) => [x.criterionId, x.value]))
			}));
		return computeResults({ entries, criteria: criteriaIn, reviews, settings: { normalize: mode !== 'none', normalization: mode, disagreementThreshold: 20, expectedReviews: 3 } });
	});
}

const ranking = (r: Pick<ResultsOutput, 'entries'>) =>
	r.entries.map((e) => ({ id: e.applicationId, nom: e.nominationId, position: e.position, rank: e.rank, score: e.score, scoreSd: e.scoreSd ?? null })).sort((a, b) => (a.nom < b.nom ? -1 : a.nom > b.nom ? 1 : a.position - b.position));

const query = (q = '') => parseResultsQuery(new URL(`http://x/?${q}`));

function finiteOrNull(r: Pick<ResultsOutput, 'entries'>) {
	for (const e of r.entries) {
		for (const v of [e.score, e.mean, e.sd, e.scoreSd ?? null]) if (v !== null) expect(Number.isFinite(v)).toBe(true);
		for (const t of e.totals) expect(Number.isFinite(t.normalized)).toBe(true);
	}
}

describe('the method through load, cache and console', () => {
	it("'model' through load / cache / results page / protocol = computeResults called directly", () => {
		setMethod('model');
		const ref = direct('model');
		expect(ref).toHaveLength(1);
		expect(ref[0].model?.applied).toBe('model');
		const expected = ranking(ref[0]);
		expect(expected.some((e) => e.scoreSd !== null)).toBe(true);

		const l = loadRound(db, s.roundId);
		expect(l.contest.settings.normalization).toBe('model');
		expect(ranking(computeRound(l))).toEqual(expected);
		const cached = cachedResults(db, s.roundId).results;
		expect(cached.settings.normalization).toBe('model');
		expect(ranking(cached)).toEqual(expected);
		expect(cached.notes).toEqual(ref[0].notes);
		expect(cached.model).toEqual(ref[0].model);

		const page = resultsPage(db, s.roundId, query());
		expect(page.mode).toBe('model');
		expect(page.official).toBe('model');
		expect(page.applied).toBe('model');
		// M4 has 2 of 3 reviews: the note names it by number
		expect(page.model!.notes.find((n) => n.code === 'model_missing_reviews')!.entries).toEqual([s.numbers.M4]);
		const rows = page.rows.map((r) => ({ id: r.applicationId, nom: r.nominationId, position: r.position, rank: r.rank, score: r.score, scoreSd: r.scoreSd }));
		expect([...rows].sort((a, b) => (a.nom < b.nom ? -1 : a.nom > b.nom ? 1 : a.position - b.position))).toEqual(expected);
		const protocol = protocolPage(db, s.roundId);
		expect(protocol.method).toMatch(/^Метод нормализации: Модель строгости жюри — модель строгости экспертов/);
		expect(protocol.nominations.flatMap((n) => n.rows.map((r) => ({ id: r.applicationId, position: r.position, score: r.score, scoreSd: r.scoreSd })))).toEqual(
			l.nominations.flatMap((n) => expected.filter((e) => e.nom === n.id).map((e) => ({ id: e.id, position: e.position, score: e.score, scoreSd: e.scoreSd })))
		);
	});

	it('each mode through the cache = computed directly; the official method and the same one asked for share a computation', () => {
		for (const mode of ['none', 'zscore', 'model'] as const) {
			clearResultsCache(db);
			expect(ranking(cachedResults(db, s.roundId, { normalization: mode }).results)).toEqual(ranking(direct(mode)[0]));
			const rows = resultsPage(db, s.roundId, query(`norm=${mode}`)).rows.map((r) => ({ id: r.applicationId, nom: r.nominationId, position: r.position, rank: r.rank, score: r.score, scoreSd: r.scoreSd }));
			expect([...rows].sort((a, b) => (a.nom < b.nom ? -1 : a.nom > b.nom ? 1 : a.position - b.position))).toEqual(ranking(direct(mode)[0]));
		}
		setMethod('zscore');
		expect(cachedResults(db, s.roundId).results).toBe(cachedResults(db, s.roundId, { normalization: 'zscore' }).results);
	});

	it('nominations with different rubrics: the model per group, its notes and summary survive the merge', () => {
		// a criterion of the practice nomination only: two groups
		const c3 = newId();
		db.insert(criteria).values({ id: c3, contestId: s.contestId, nominationId: s.practiceId, title: 'Тиражируемость', weight: 1, scaleMin: 0, scaleMax: 10, sort: 2 }).run();
		const pr = db.select().from(assignments).innerJoin(applications, eq(applications.id, assignments.applicationId)).where(and(eq(assignments.roundId, s.roundId), eq(applications.nominationId, s.practiceId), eq(assignments.status, 'submitted'))).all();
		for (const { assignments: a } of pr) db.insert(scores).values({ assignmentId: a.id, criterionId: c3, value: a.jurorId === s.jurors.J2 ? 9 : 5 }).run();
		setMethod('model');
		const ref = direct('model');
		expect(ref).toHaveLength(2);
		const res = cachedResults(db, s.roundId).results;
		expect(res.groups).toBe(2);
		expect(ranking(res)).toEqual(ranking({ entries: ref.flatMap((r) => r.entries) }));
		// the merge keeps the model: one summary, every group's notes, plus the note that the fits are separate
		expect(res.model).toBeDefined();
		expect(res.model!.applied).toBe('model');
		expect(res.notes![0].code).toBe('model_groups');
		expect(res.notes!.slice(1).map((n) => n.text).sort()).toEqual(ref.flatMap((r) => r.notes ?? []).map((n) => n.text).sort());
		const jurorIds = new Set(ref.flatMap((r) => r.model!.jurors.map((j) => j.jurorId)));
		expect(new Set(res.model!.jurors.map((j) => j.jurorId))).toEqual(jurorIds);
		const page = resultsPage(db, s.roundId, query());
		expect(page.model?.notes[0].code).toBe('model_groups');
	});

	it("the console's comparison: another method shown is compared with the official one; cmp names a method", () => {
		setMethod('model');
		const v = resultsPage(db, s.roundId, query('norm=zscore'));
		expect(v.mode).toBe('zscore');
		expect(v.compareWith).toBe('model');
		const modelRank = new Map(cachedResults(db, s.roundId, { normalization: 'model' }).results.entries.map((e) => [e.applicationId, e.rank]));
		for (const r of v.rows) expect(r.otherRank).toBe(modelRank.get(r.applicationId) ?? null);
		expect(resultsPage(db, s.roundId, query('cmp=none')).compareWith).toBe('none');
		// old links: norm=on/off, cmp=1
		expect(resultsPage(db, s.roundId, query('norm=on')).mode).toBe('zscore');
		expect(resultsPage(db, s.roundId, query('norm=off')).mode).toBe('none');
		expect(resultsPage(db, s.roundId, query('cmp=1')).compareWith).toBe('zscore');
		expect(resultsPage(db, s.roundId, query('norm=bogus')).mode).toBe('model');
	});
});

describe("the model's bad input: a note in the page data, never NaN", () => {
	it('a juror with one review, a juror who scores everything the same: notes naming them, words per juror', () => {
		// J5 reviews M1 once
		const a = newId();
		db.insert(assignments).values({ id: a, roundId: s.roundId, applicationId: s.apps.M1, jurorId: s.jurors.J5, status: 'submitted', submittedAt: new Date() }).run();
		db.insert(scores).values([{ assignmentId: a, criterionId: s.c1, value: 3 }, { assignmentId: a, criterionId: s.c2, value: 3 }]).run();
		// J3 gives 7/7 to everything
		const j3 = db.select().from(assignments).where(and(eq(assignments.roundId, s.roundId), eq(assignments.jurorId, s.jurors.J3), eq(assignments.status, 'submitted'))).all();
		for (const x of j3) db.update(scores).set({ value: 7 }).where(eq(scores.assignmentId, x.id)).run();
		setMethod('model');
		const v = resultsPage(db, s.roundId, query());
		expect(v.model).not.toBeNull();
		const note = (code: string) => v.model!.notes.find((n) => n.code === code);
		expect(note('model_single_review')?.jurors).toEqual(['Егоров Жан Маратович']);
		expect(note('model_flat')?.jurors).toEqual(['Григорьев Дмитрий Олегович']);
		expect(note('model_flat')?.level).toBe('warning');
		const j5 = v.model!.jurors.find((j) => j.jurorId === s.jurors.J5)!;
		expect(j5.confidenceText).toBe('одна оценка — строгость не оценить');
		expect(j5.leniencyText).toBe('строгость не оценить');
		expect(j5.consistencyText).toBe('согласованность с коллегами не оценить');
		expect(j5.tone).toBe('warn');
		const flat = v.model!.jurors.find((j) => j.jurorId === s.jurors.J3)!;
		expect(flat.reliability).toBe('flat');
		expect(flat.consistencyText).toBe('ставит всем одинаковый итог');
		expect(flat.tone).toBe('err');
		finiteOrNull(cachedResults(db, s.roundId).results);
		for (const r of v.rows) if (r.score !== null) expect(Number.isFinite(r.score)).toBe(true);
		// the jurors tab shows the same words whatever the official method
		setMethod('none');
		expect(roundModelView(db, s.roundId)!.jurors.find((j) => j.jurorId === s.jurors.J3)!.reliability).toBe('flat');
	});

	it('a disconnected review graph: a note, scores finite, every entry still ranked', () => {
		// {J1, J2} and {J3, J4} never share an entry
		const cut: [keyof SeededResults['apps'], keyof SeededResults['jurors']][] = [
			['M1', 'J3'],
			['M2', 'J4'],
			['M3', 'J2'],
			['M4', 'J3'],
			['P1', 'J3'],
			['P2', 'J2'],
			['P3', 'J1']
		];
		for (const [a, j] of cut) db.update(assignments).set({ status: 'removed' }).where(eq(assignments.id, s.assignmentOf(s.apps[a], s.jurors[j])!)).run();
		setMethod('model');
		const v = resultsPage(db, s.roundId, query());
		const n = v.model!.notes.find((x) => x.code === 'model_disconnected');
		expect(n?.text).toMatch(/Эксперты делятся на 2 группы/);
		expect(v.model!.components).toBe(2);
		const res = cachedResults(db, s.roundId).results;
		finiteOrNull(res);
		expect(res.entries.filter((e) => e.reviews > 0).every((e) => e.rank !== null)).toBe(true);
	});

	it('no entry reviewed by two jurors: the model falls back to the z-score with a visible note; the protocol says so', () => {
		// keep one review per entry
		const all = db.select().from(assignments).where(eq(assignments.roundId, s.roundId)).orderBy(assignments.id).all();
		const seen = new Set<string>();
		for (const a of all) {
			if (a.status === 'submitted' && !seen.has(a.applicationId)) seen.add(a.applicationId);
			else db.update(assignments).set({ status: 'removed' }).where(eq(assignments.id, a.id)).run();
		}
		setMethod('model');
		const v = resultsPage(db, s.roundId, query());
		expect(v.applied).not.toBe('model');
		expect(v.model!.applied).toBe(v.applied);
		expect(v.model!.notes.find((x) => x.code === 'model_fallback')?.text).toMatch(/Модель строгости не применена: ни одну работу не оценили два эксперта/);
		expect(v.rows.every((r) => r.scoreSd === null)).toBe(true);
		finiteOrNull(cachedResults(db, s.roundId).results);
		const p = protocolPage(db, s.roundId);
		expect(p.method).toMatch(/^Метод нормализации: Модель строгости жюри \(не применена: места по методу «(Z-оценка по жюри|Без нормализации)»\)/);
		expect(p.modelNotes.some((t) => t.startsWith('Модель строгости не применена'))).toBe(true);
	});

	it('a round without any review: no NaN, no exception, an empty model', () => {
		db.update(assignments).set({ status: 'assigned' }).where(eq(assignments.roundId, s.roundId)).run();
		setMethod('model');
		const v = resultsPage(db, s.roundId, query());
		expect(v.summary.countedReviews).toBe(0);
		expect(v.rows.every((r) => r.score === null)).toBe(true);
		expect(v.model?.jurors ?? []).toEqual([]);
	});
});

describe('settings: the method stored, the old boolean still read', () => {
	it('old stored normalize: true/false → z-score / none, and the round is computed so', () => {
		expect(contestSettings({ normalize: true }).normalization).toBe('zscore');
		expect(contestSettings({ normalize: false }).normalization).toBe('none');
		expect(contestSettings({}).normalization).toBe('none');
		expect(contestSettings({ normalization: 'model', normalize: true })).toMatchObject({ normalization: 'model', normalize: true });
		// an old writer that only knows the boolean changes it: the boolean wins over a stale method
		expect(contestSettings({ ...contestSettings({ normalization: 'model', normalize: true }), normalize: false })).toMatchObject({ normalization: 'none', normalize: false });
		expect(contestSettings({ ...contestSettings({}), normalize: true })).toMatchObject({ normalization: 'zscore', normalize: true });
		// garbage is not a method
		expect(contestSettingsSchema.safeParse({ normalization: 'bayes' }).success).toBe(false);

		// a contest stored before the method existed
		const old = seedResultsContest(db, { settings: { normalize: true } });
		expect(JSON.stringify(db.select().from(contests).where(eq(contests.id, old.contestId)).get()!.settings)).not.toContain('normalization');
		const { loaded, results } = roundResults(db, old.roundId);
		expect(loaded.contest.settings.normalization).toBe('zscore');
		expect(results.settings.normalization).toBe('zscore');
		expect(resultsPage(db, old.roundId, query()).official).toBe('zscore');
	});

	it('the form: the three methods validated with a Russian message; saved, read back, audited', () => {
		const form = { disagreementThreshold: '20', winnersPerNomination: '1', jurorsPerEntry: '3' };
		expect(resultsSettingsSchema.parse({ ...form, normalization: 'model' }).normalization).toBe('model');
		const bad = resultsSettingsSchema.safeParse({ ...form, normalization: 'bayes' });
		expect(bad.success).toBe(false);
		expect(bad.error!.issues[0].message).toBe('Выберите метод нормализации оценок');
		// a form of the previous version sends the checkbox instead of the method: it keeps working
		expect(resultsSettingsSchema.parse(form).normalization).toBe('none');
		expect(resultsSettingsSchema.parse({ ...form, normalize: 'on' }).normalization).toBe('zscore');
		expect(resultsSettingsSchema.parse({ ...form, normalize: 'on', normalization: 'model' }).normalization).toBe('model');

		const after = setMethod('model');
		expect(after).toMatchObject({ normalization: 'model', normalize: true });
		const stored = db.select().from(contests).where(eq(contests.id, s.contestId)).get()!.settings as Record<string, unknown>;
		expect(stored).toMatchObject({ normalization: 'model', normalize: true });
		expect(contestSettings(stored).normalization).toBe('model');
		expect(cachedResults(db, s.roundId).results.settings.normalization).toBe('model');
		setMethod('none');
		expect(db.select().from(contests).where(eq(contests.id, s.contestId)).get()!.settings).toMatchObject({ normalization: 'none', normalize: false });
	});
});

async function workbook(p: PassThrough) {
	const chunks: Buffer[] = [];
	for await (const c of p) chunks.push(c as Buffer);
	const wb = new ExcelJS.Workbook();
	await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
	return wb;
}

describe('exports name the method; in model mode the model score and its uncertainty', () => {
	it('entries XLSX / CSV and the protocol XLSX in model mode', async () => {
		setMethod('model');
		const { loaded, results } = cachedResults(db, s.roundId);
		const ws = (await workbook(entriesXlsx(loaded, results))).getWorksheet('Заявки')!;
		const head = (ws.getRow(1).values as unknown[]).slice(1) as string[];
		expect(head).toContain('Балл (оценка модели)');
		expect(head).toContain('Неопределённость балла (±, модель)');
		const m1 = (ws.getRow(2).values as unknown[]).slice(1);
		const e1 = results.entries.find((e) => e.applicationId === s.apps.M1)!;
		expect(m1[head.indexOf('Балл (оценка модели)')]).toBe(Math.round(e1.score! * 100) / 100);
		expect(m1[head.indexOf('Неопределённость балла (±, модель)')]).toBe(Math.round(e1.scoreSd! * 100) / 100);
		expect(m1[head.indexOf('Метод нормализации')]).toBe('Модель строгости жюри');

		const csv = new TextDecoder().decode(await new Response(entriesCsv(loaded, results)).arrayBuffer()).replace(/^\uFEFF/, '');
		const rows = Papa.parse<string[]>(csv, { delimiter: ';', skipEmptyLines: true }).data;
		expect(rows[0]).toContain('Неопределённость балла (±, модель)');
		expect(rows[1][rows[0].indexOf('Метод нормализации')]).toBe('Модель строгости жюри');

		const pr = (await workbook(protocolXlsx(loaded, results, { printedBy: 'тест' }))).getWorksheet('Протокол')!;
		const all = pr.getSheetValues().flat().map(String).join('\n');
		expect(all).toContain('Метод нормализации: Модель строгости жюри — модель строгости экспертов');
		expect(all).toContain('Неопределённость балла (±, модель)');
	});

	it('other modes: the method named, no model columns', async () => {
		for (const mode of ['none', 'zscore'] as const) {
			const { loaded, results } = roundResults(db, s.roundId, { normalization: mode });
			const ws = (await workbook(entriesXlsx(loaded, results))).getWorksheet('Заявки')!;
			const head = (ws.getRow(1).values as unknown[]).slice(1) as string[];
			expect(head).not.toContain('Неопределённость балла (±, модель)');
			expect((ws.getRow(2).values as unknown[]).slice(1)[head.indexOf('Метод нормализации')]).toBe(mode === 'none' ? 'Без нормализации' : 'Z-оценка по жюри');
		}
	});
});

describe("a juror's estimate in an organizer's words", () => {
	const est = (p: Partial<JurorEstimate>): JurorEstimate => ({ jurorId: 'j', reviews: 30, leniency: 0, scale: 1, offset: 0, spread: 8, reliability: 'ok', explanation: '', ...p });
	it('strictness, scale, consistency, confidence', () => {
		expect(jurorWords(est({ leniency: -6.04 }), 20, 8)).toMatchObject({ leniencyText: 'строже среднего на 6 баллов', strictness: 'stricter' });
		expect(jurorWords(est({ leniency: 3.5 }), 20, 8).leniencyText).toBe('мягче среднего на 3,5 балла');
		expect(jurorWords(est({ leniency: 1 }), 20, 8).leniencyText).toBe('мягче среднего на 1 балл');
		expect(jurorWords(est({ leniency: 0.4 }), 20, 8).leniencyText).toBe('строгость как у большинства экспертов');
		expect(jurorWords(est({ scale: 1.32 }), 20, 8).scaleText).toBe('оценки разбросаны шире обычного (×1,3)');
		expect(jurorWords(est({ scale: 0.7 }), 20, 8).scaleText).toBe('оценки сжаты уже обычного (×0,7)');
		expect(jurorWords(est({ scale: 1.05 }), 20, 8).scaleText).toBeNull();
		expect(jurorWords(est({ spread: 4 }), 20, 8).consistencyText).toBe('с коллегами согласуется хорошо (типичное отклонение 4 балла)');
		expect(jurorWords(est({ spread: 14 }), 20, 8).consistencyText).toMatch(/^с коллегами согласуется слабее обычного/);
		expect(jurorWords(est({ reliability: 'inconsistent', spread: 30 }), 20, 8).tone).toBe('err');
		const few = jurorWords(est({}), 2, 8);
		expect(few.confidenceText).toBe('мало общих работ с другими (2) — оценка неуверенная');
		expect(few.tone).toBe('warn');
		expect(jurorWords(est({}), 0, 8).confidenceText).toBe('ни одной общей работы с другими экспертами — строгость не с чем сравнить');
		expect(jurorWords(est({ leniency: 30 }), 0, 8).leniencyText).toBe('строгость не оценить');
		expect(jurorWords(est({ leniency: 30, reviews: 1 }), 1, 8).leniencyText).toBe('строгость не оценить');
		expect(jurorWords(est({}), 20, 8).confidenceText).toBeNull();
		expect(pointsText(-21)).toBe('21 балл');
		expect(pointsText(12)).toBe('12 баллов');
	});
});

describe('the per-juror words at national size', () => {
	it('page by 50: those to look at first, the counts over all jurors, every juror on exactly one page; notes trimmed', () => {
		const tones = ['ok', 'ok', 'warn', 'ok', 'err'] as const;
		const strict = ['stricter', 'milder', 'typical', 'unknown'] as const;
		const jurors = Array.from({ length: 123 }, (_, i) => ({ jurorId: `j${i}`, fio: `Эксперт ${i}`, tone: tones[i % 5], strictness: strict[i % 4] }) as unknown as JurorModelRow);
		const view = { applied: 'model', converged: true, components: 1, mu: 60, sigma0: 8, notes: [], jurors } as ModelView;
		const p1 = pageModelJurors(view, 1)!;
		expect(p1.pages).toBe(3);
		expect(p1.jurors).toHaveLength(50);
		expect(p1.counts).toEqual({ jurors: 123, stricter: 31, milder: 31, unsure: 49 });
		// err first (24), then warn (25), then ok, each in the view's order
		expect(p1.jurors.slice(0, 24).every((j) => j.tone === 'err')).toBe(true);
		expect(p1.jurors.slice(24, 49).every((j) => j.tone === 'warn')).toBe(true);
		expect(p1.jurors[0].jurorId).toBe('j4');
		const all = [1, 2, 3].flatMap((n) => pageModelJurors(view, n)!.jurors.map((j) => j.jurorId));
		expect(new Set(all).size).toBe(123);
		expect(pageModelJurors(view, 99)!.page).toBe(3);
		expect(pageModelJurors(view, -1)!.page).toBe(1);
		expect(pageModelJurors(null)).toBeNull();
		// a note naming many jurors and entries: 30 names and 20 numbers, the rest counted, no ids
		const many = { code: 'model_few_reviews', level: 'warning', text: 'мало общих работ', jurorIds: jurors.map((j) => j.jurorId), jurors: jurors.map((j) => j.fio), entries: Array.from({ length: 500 }, (_, i) => `Н-${i}`) };
		const n = pageModelJurors({ ...view, notes: [many] } as unknown as ModelView)!.notes[0];
		expect(n).toEqual({ code: 'model_few_reviews', level: 'warning', text: 'мало общих работ', jurors: jurors.slice(0, 30).map((j) => j.fio), moreJurors: 93, entries: many.entries.slice(0, 20), moreEntries: 480 });
	});
});
