/**
 * Issue 16, the routing side wired into the console: juror expertise on the profile, the round's
 * routing preferences reaching the router, the preview's quality figures, and the one-click extra
 * reviews for the entries whose side of the winners' cut is uncertain. Real SQLite.
 */
import { describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { dbPerTest } from '../../../../tests/helpers/db';
import { refusalCode } from '../../../../tests/helpers/errors';
import { asJury, asOrganizer } from '../../../../tests/helpers/actors';
import { juryFixture, type Fixture } from '../../../../tests/helpers/jury';
import type { DB } from '../db/client';
import { applications, assignments, auditEvents, contests, jobs, jurorProfiles } from '../db/schema';
import { expertiseSchema, routingPrefsSchema } from '../../schemas/jury';
import { practiceSchema } from '../../schemas/application';
import { sphereOfEntry } from '../../data/spheres';
import { jurorExpertise, updateJurorExpertise } from './expertise';
import { activateRound, createRound, getRound, roundSettings, updateRound } from './rounds';
import { applyRouting, previewRouting } from './plan';
import { buildRoutingInput, loadRoundState } from './round-state';
import { routingWeights } from './routing-prefs';
import { saveScores } from './scoring';
import { upsertConflict } from './assignments';
import { assignExtraReviews, modelResults, uncertainEntries, MIN_PROBABILITY } from './extra-reviews';
import { loadRound } from '../results/load';
import { planExtraReviews } from '../results/uncertainty';
import { MAIL_KIND } from '../jobs/mail';

const ORG = asOrganizer();
let db: DB;
let f: Fixture;
dbPerTest((d) => (f = juryFixture((db = d))));

const ACTIVE = ['assigned', 'draft', 'submitted'] as const;
const active = (roundId: string) =>
	db
		.select()
		.from(assignments)
		.where(and(eq(assignments.roundId, roundId), inArray(assignments.status, [...ACTIVE])))
		.all();
const setPractice = (appId: string, practice: Record<string, unknown>) => db.update(applications).set({ practice }).where(eq(applications.id, appId)).run();
const parseExpertise = (raw: Record<string, string>) => expertiseSchema.safeParse(raw);

describe('juror expertise', () => {
	it('is validated with Russian messages: spheres from the list, at most 20 tags of ≤ 60 characters, duplicates dropped', () => {
		const ok = parseExpertise({ spheres: 'education,health,education', tags: 'Адаптация молодых специалистов, адаптация  молодых специалистов;школа\nЦифровые навыки' });
		expect(ok.success && ok.data).toEqual({ spheres: ['education', 'health'], tags: ['Адаптация молодых специалистов', 'школа', 'Цифровые навыки'] });
		const bad = parseExpertise({ spheres: 'education,astrology', tags: '' });
		expect(bad.success).toBe(false);
		expect(bad.error!.issues[0].message).toBe('Выберите сферы из списка');
		const many = parseExpertise({ spheres: '', tags: Array.from({ length: 21 }, (_, i) => `тема ${i}`).join(',') });
		expect(many.error!.issues[0].message).toBe('Не больше 20 тем экспертизы');
		const long = parseExpertise({ spheres: '', tags: 'а'.repeat(61) });
		expect(long.error!.issues[0].message).toBe('Каждая тема — не длиннее 60 символов');
		expect(parseExpertise({ spheres: '', tags: '<script>' }).error!.issues[0].message).toMatch(/без угловых скобок/);
	});

	it('is stored on the profile, audited, read by the routing; no-op when unchanged; 404 for a non-juror', () => {
		const j = f.juror();
		const r = updateJurorExpertise(db, ORG, j, { spheres: ['education'], tags: ['школа'] });
		expect(r.changed).toBe(true);
		expect(jurorExpertise(db, j)).toEqual({ spheres: ['education'], tags: ['школа'] });
		expect(updateJurorExpertise(db, ORG, j, { spheres: ['education'], tags: ['школа'] }).changed).toBe(false);
		const events = db.select().from(auditEvents).where(eq(auditEvents.action, 'juror.expertise')).all();
		expect(events).toHaveLength(1);
		expect(events[0]).toMatchObject({ entityId: j, actorId: 'org', after: { spheres: ['education'], tags: ['школа'] } });
		f.app();
		const round = createRound(db, f.contestId, { number: 1 });
		const s = loadRoundState(db, round.id);
		expect(s.jurors.get(j)!.expertise).toEqual({ spheres: ['education'], tags: ['школа'] });
		expect(buildRoutingInput(s).jurors.find((x) => x.id === j)!.expertise).toEqual({ spheres: ['education'], tags: ['школа'] });
		expect(refusalCode(() => updateJurorExpertise(db, ORG, 'nobody', { spheres: [], tags: [] }))).toBe('404 not_found');
	});
});

describe("an entry's sphere and tags", () => {
	it('the applicant may name the sphere and keywords on the practice step (optional, checked against the list)', () => {
		const base = { title: 'Школа наставников', problem: 'Молодые специалисты уходят в первый год', actions: 'Наставник сопровождает новичка полгода', team: 'Десять наставников', since: '2020', results: 'Текучесть снизилась вдвое за два года' };
		expect(practiceSchema.safeParse({ ...base, sphere: '', tags: '' }).data).toMatchObject({ title: 'Школа наставников' });
		expect(practiceSchema.safeParse({ ...base, sphere: '' }).data?.sphere).toBeUndefined();
		expect(practiceSchema.safeParse({ ...base, sphere: 'education', tags: 'школа, адаптация' }).data).toMatchObject({ sphere: 'education', tags: 'школа, адаптация' });
		expect(practiceSchema.safeParse({ ...base, sphere: 'astrology' }).error!.issues[0].message).toBe('Выберите сферу практики из списка');
		expect(practiceSchema.safeParse({ ...base, tags: 'а'.repeat(301) }).error!.issues[0].message).toBe('Ключевые слова: не длиннее 300 символов');
	});

	it('come from the application: the sphere chosen on the practice step, else the nomination’s', () => {
		expect(sphereOfEntry('health', { slug: 'production', title: 'Наставничество на производстве' })).toBe('health');
		expect(sphereOfEntry(undefined, { slug: 'production', title: 'Наставничество на производстве' })).toBe('production');
		expect(sphereOfEntry('astrology', { slug: 'x', title: 'Наставничество в образовании' })).toBe('education');
		expect(sphereOfEntry(null, { slug: 'x', title: 'Лучший наставник' })).toBeNull();
		const a = f.app();
		const b = f.app();
		setPractice(a, { title: 'Практика', sphere: 'health', tags: ['школа', ' Адаптация '] });
		setPractice(b, { title: 'Практика', tags: 'школа, цифровые навыки' });
		const round = createRound(db, f.contestId, { number: 1 });
		const apps = buildRoutingInput(loadRoundState(db, round.id)).applications;
		expect(apps.find((x) => x.id === a)).toMatchObject({ sphere: 'health', tags: ['школа', 'Адаптация'] });
		expect(apps.find((x) => x.id === b)).toMatchObject({ sphere: null, tags: ['школа', 'цифровые навыки'] });
	});
});

describe('the round’s routing preferences', () => {
	it('are validated, stored in the round settings, kept by other edits, and reach the router as weights', () => {
		f.app();
		f.juror();
		const round = createRound(db, f.contestId, { number: 1 });
		expect(routingPrefsSchema.safeParse({ expertise: 'much' }).error!.issues[0].message).toBe('Выберите, насколько учитывать экспертизу');
		// defaults: no weights at all — the plain balanced routing, as before
		expect(buildRoutingInput(loadRoundState(db, round.id)).settings).toEqual({ k: 3, sameRegionConflict: true });
		const prefs = routingPrefsSchema.parse({ expertise: 'high', districts: 'on' });
		updateRound(db, round.id, { routing: prefs }, ORG);
		updateRound(db, round.id, { title: 'Заочный тур', k: 2 }, ORG);
		expect(roundSettings(getRound(db, round.id).settings).routing).toEqual({ expertise: 'high', districts: true, connectivity: false });
		expect(buildRoutingInput(loadRoundState(db, round.id)).settings).toEqual({ k: 2, sameRegionConflict: true, weights: { expertise: 4, district: 2, connectivity: 0 } });
		expect(routingWeights({ expertise: 'low', districts: false, connectivity: true })).toEqual({ expertise: 1, district: 0, connectivity: 50 });
		// a malformed stored value falls back to the defaults, not to an exception
		expect(roundSettings({ routing: { expertise: 'much', districts: 'yes' } }).routing).toEqual({ expertise: 'off', districts: false, connectivity: false });
	});

	it('expertise «сильно» puts jurors on entries of their spheres; the preview shows mean affinity, district spread and components', () => {
		const spheres = ['education', 'health', 'social'];
		const apps = Array.from({ length: 12 }, (_, i) => {
			const a = f.app({ region: String(10 + i) });
			setPractice(a, { title: 'П', sphere: spheres[i % 3] });
			return a;
		});
		// regions of three federal districts: 50 (ЦФО), 78 (СЗФО), 23 (ЮФО); two jurors per sphere, of different districts
		const regions = ['50', '78', '23', '78', '23', '50'];
		const jurors = regions.map((region, i) => {
			const j = f.juror({ region, noms: [0] });
			updateJurorExpertise(db, ORG, j, { spheres: [spheres[i % 3]], tags: [] });
			return j;
		});
		const round = createRound(db, f.contestId, { number: 1, k: 2 });
		const plain = previewRouting(db, round.id);
		expect(plain.prefs).toEqual({ expertise: 'off', districts: false, connectivity: false });
		expect(plain.entriesWithSphere).toBe(12);
		expect(plain.jurorsWithExpertise).toBe(6);
		updateRound(db, round.id, { routing: { expertise: 'high', districts: true, connectivity: false } }, ORG);
		const p = previewRouting(db, round.id);
		expect(p.unplaced).toEqual([]);
		// every entry gets both experts of its sphere (2 per sphere, K = 2): affinity 2 everywhere
		expect(p.quality.meanAffinity).toBe(2);
		expect(p.quality.sphereMatchShare).toBe(1);
		expect(plain.quality.meanAffinity!).toBeLessThan(2);
		// the two experts of a sphere come from different districts
		expect(p.quality.districtApplications).toBe(12);
		expect(p.quality.districtDistinct).toBe(12);
		// …but the co-review graph falls apart into one island per sphere
		expect(p.quality.components).toBe(3);
		expect(p.quality.componentsMin).toBe(1);
		// the connectivity goal joins the islands at a small cost in affinity
		updateRound(db, round.id, { routing: { expertise: 'high', districts: true, connectivity: true } }, ORG);
		const c = previewRouting(db, round.id);
		expect(c.quality.components).toBe(1);
		expect(c.quality.connectivityMoves).toBeGreaterThan(0);
		expect(c.quality.meanAffinity!).toBeLessThan(2);
		expect(c.quality.meanAffinity!).toBeGreaterThan(plain.quality.meanAffinity!);
		// apply the expertise-only plan: every pair is an expert of the entry's sphere
		updateRound(db, round.id, { routing: { expertise: 'high', districts: true, connectivity: false } }, ORG);
		const again = previewRouting(db, round.id);
		expect(again.digest).toBe(p.digest);
		const applied = applyRouting(db, ORG, round.id, { digest: again.digest });
		expect(applied.added).toBe(24);
		const byJuror = new Map(jurors.map((j, i) => [j, spheres[i % 3]]));
		for (const a of active(round.id)) expect(byJuror.get(a.jurorId)).toBe(spheres[apps.indexOf(a.applicationId) % 3]);
	});

	it('districts: with the goal on, an entry’s jurors come from different federal districts whenever the pool allows', () => {
		for (let i = 0; i < 6; i++) f.app({ region: '16' });
		// four jurors of ЦФО, two of СЗФО, capacity 2: each entry can get one of each district
		for (const region of ['50', '77', '71', '33']) f.juror({ region, noms: [0], capacity: 3 });
		for (const region of ['78', '47']) f.juror({ region, noms: [0], capacity: 3 });
		const round = createRound(db, f.contestId, { number: 1, k: 2 });
		updateRound(db, round.id, { routing: { expertise: 'off', districts: true, connectivity: false } }, ORG);
		const p = previewRouting(db, round.id);
		expect(p.quality.districtApplications).toBe(6);
		expect(p.quality.districtDistinct).toBe(6);
	});

	it('an infeasible instance still explains which entries lack eligible jurors, whatever the weights', () => {
		const a = f.app({ region: '50', nom: 1 });
		f.juror({ region: '50', noms: [1] });
		f.juror({ noms: [0] });
		const round = createRound(db, f.contestId, { number: 1 });
		updateRound(db, round.id, { routing: { expertise: 'high', districts: true, connectivity: true } }, ORG);
		const p = previewRouting(db, round.id);
		expect(p.unplaced).toHaveLength(1);
		expect(p.unplaced[0]).toMatchObject({ applicationId: a, placed: 0, needed: 3 });
		expect(p.unplaced[0].reasons.join(' ')).toMatch(/регион/);
	});
});

// ---------------------------------------------------------------------------------------------
// extra reviews

/**
 * 16 entries of nomination 0 with planted qualities (two clear winners, five close to the cut of 3
 * winners, the rest clearly below), 8 jurors (capacity 12), K = 3, every review submitted as the
 * quality ± a fixed noise pattern per entry (the routing's choice of jurors depends on random ids,
 * the scores of an entry do not).
 */
const QUALITY = [9.5, 9, 6.2, 6.1, 6, 5.9, 5.8, 3, 2.6, 2.2, 1.8, 1.5, 1.2, 0.9, 0.6, 0.3];
const NOISE = [-1, 0, 1];
function scoredRound(opts: { capacity?: number } = {}) {
	db.update(contests).set({ settings: { winnersPerNomination: 3 } }).where(eq(contests.id, f.contestId)).run();
	const apps = Array.from({ length: 16 }, () => f.app({ region: '16' }));
	const jurors = Array.from({ length: 8 }, () => f.juror({ noms: [0], capacity: opts.capacity ?? 12 }));
	const round = createRound(db, f.contestId, { number: 1, deadlineAt: new Date(Date.now() + 7 * 86400_000) });
	applyRouting(db, ORG, round.id);
	activateRound(db, round.id, ORG);
	const rows = active(round.id).sort((x, y) => apps.indexOf(x.applicationId) - apps.indexOf(y.applicationId) || jurors.indexOf(x.jurorId) - jurors.indexOf(y.jurorId));
	const seen = new Map<string, number>();
	for (const a of rows) {
		const i = apps.indexOf(a.applicationId);
		const k = seen.get(a.applicationId) ?? 0;
		seen.set(a.applicationId, k + 1);
		const q = QUALITY[i] + NOISE[(k + i) % 3];
		const v = (lo: number, hi: number) => Math.max(lo, Math.min(hi, Math.round(lo + (q / 10) * (hi - lo))));
		saveScores(db, asJury(a.jurorId), a.id, { values: { [f.criteria[0]]: v(0, 10), [f.criteria[1]]: v(1, 5) }, comment: '', version: a.version, intent: 'submit' });
	}
	return { apps, jurors, round };
}

const mailsTo = () =>
	db
		.select()
		.from(jobs)
		.where(eq(jobs.kind, MAIL_KIND))
		.all()
		.filter((j) => String(j.payload.subject).startsWith('Дополнительные работы'));

describe('extra reviews where the cut is unsure', () => {
	it('finds exactly the entries the model is unsure about (uncertainty.ts on the model-mode results)', () => {
		const { apps, round } = scoredRound();
		const view = uncertainEntries(db, round.id);
		const expected = planExtraReviews(modelResults(loadRound(db, round.id)), { winnersPerNomination: 3, reviews: 1e9, perEntry: 1, minProbability: MIN_PROBABILITY }).candidates;
		expect(view.entries.map((e) => e.applicationId)).toEqual(expected.map((e) => e.applicationId));
		expect(view.scored).toBe(16);
		expect(view.entries.length).toBeGreaterThan(0);
		// the clearly best and clearly worst entries are certain
		expect(view.entries.length).toBeLessThan(apps.length);
		const ids = new Set(view.entries.map((e) => e.applicationId));
		expect(ids.has(apps[0])).toBe(false);
		expect(ids.has(apps[15])).toBe(false);
		for (const i of [7, 8, 9, 10, 11, 12, 13, 14]) expect(ids.has(apps[i])).toBe(false);
		for (const e of view.entries) {
			expect(e.probability).toBeGreaterThanOrEqual(MIN_PROBABILITY);
			expect(e.number).toMatch(/^НС-2026-/);
			expect(e.jurors).toBe(3);
		}
		expect(view.nominations).toEqual([expect.objectContaining({ nominationId: f.nominations[0], entries: 16, uncertain: view.entries.length })]);
	});

	it('gives exactly those entries M more jurors, never a conflicted one or one already on the entry; manual, audited, mailed; a second click writes nothing', () => {
		const { round } = scoredRound();
		// a juror of the entries' region (conflict with all of them) and a declared conflict on the first uncertain entry
		const local = f.juror({ noms: [0], region: '16' });
		const view = uncertainEntries(db, round.id);
		const first = view.entries[0].applicationId;
		const declared = f.juror({ noms: [0] });
		upsertConflict(db, declared, first, 'declared', 'родственник', ORG, new Date());
		const before = active(round.id);
		const beforeOn = new Map<string, Set<string>>();
		for (const a of before) (beforeOn.get(a.applicationId) ?? beforeOn.set(a.applicationId, new Set()).get(a.applicationId)!).add(a.jurorId);
		const view2 = uncertainEntries(db, round.id);
		expect(view2.digest).toBe(view.digest);
		const r = assignExtraReviews(db, ORG, round.id, { perEntry: 2, digest: view2.digest });
		expect(r.entries).toBe(view.entries.length);
		expect(r.short).toEqual([]);
		expect(r.added).toBe(2 * view.entries.length);
		const after = active(round.id);
		const fresh = after.filter((a) => !before.some((b) => b.id === a.id));
		expect(fresh).toHaveLength(r.added);
		const uncertain = new Set(view.entries.map((e) => e.applicationId));
		const perEntry = new Map<string, number>();
		for (const a of fresh) {
			expect(uncertain.has(a.applicationId)).toBe(true);
			expect(beforeOn.get(a.applicationId)!.has(a.jurorId)).toBe(false);
			expect(a.jurorId).not.toBe(local);
			if (a.applicationId === first) expect(a.jurorId).not.toBe(declared);
			expect(a).toMatchObject({ source: 'manual', status: 'assigned' });
			perEntry.set(a.applicationId, (perEntry.get(a.applicationId) ?? 0) + 1);
		}
		expect([...perEntry.values()].every((n) => n === 2)).toBe(true);
		expect(perEntry.size).toBe(uncertain.size);
		// audited: one event per assignment and one for the action
		const adds = db.select().from(auditEvents).where(eq(auditEvents.action, 'assignment.add')).all().filter((e) => fresh.some((a) => a.id === e.entityId));
		expect(adds).toHaveLength(fresh.length);
		const run = db.select().from(auditEvents).where(eq(auditEvents.action, 'routing.extra')).all();
		expect(run).toHaveLength(1);
		expect(run[0]).toMatchObject({ actorId: 'org', entityId: round.id, after: expect.objectContaining({ added: r.added, perEntry: 2 }) });
		// one letter per juror who got new entries, through the queue
		const mails = mailsTo();
		expect(mails).toHaveLength(r.jurors);
		expect(new Set(mails.map((m) => m.payload.to)).size).toBe(r.jurors);
		// the entries now wait for their extra reviews: not offered again until those are in
		const later = uncertainEntries(db, round.id);
		expect(later.entries).toEqual([]);
		expect(later.waiting).toBe(view.entries.length);
		// a double click: the page's digest is stale now, nothing more is written
		expect(refusalCode(() => assignExtraReviews(db, ORG, round.id, { perEntry: 2, digest: view2.digest }))).toBe('409 stale');
		expect(active(round.id)).toHaveLength(after.length);
		expect(mailsTo()).toHaveLength(r.jurors);
		// the routing keeps the extra pairs (manual) on the next run
		applyRouting(db, ORG, round.id);
		expect(active(round.id).filter((a) => fresh.some((x) => x.id === a.id))).toHaveLength(fresh.length);
	});

	it('respects capacity: loads on all entries count; entries that cannot get M jurors are reported with reasons', () => {
		const { round, jurors } = scoredRound();
		const view = uncertainEntries(db, round.id);
		const load = new Map<string, number>();
		for (const a of active(round.id)) load.set(a.jurorId, (load.get(a.jurorId) ?? 0) + 1);
		// everyone full except one juror with room for exactly one more entry
		for (const j of jurors) db.update(jurorProfiles).set({ capacity: (load.get(j) ?? 0) + (j === jurors[0] ? 1 : 0) }).where(eq(jurorProfiles.userId, j)).run();
		const r = assignExtraReviews(db, ORG, round.id, { perEntry: 1, digest: uncertainEntries(db, round.id).digest });
		expect(view.entries.length).toBeGreaterThan(1);
		expect(r.added).toBeLessThanOrEqual(1);
		const after = new Map<string, number>();
		for (const a of active(round.id)) after.set(a.jurorId, (after.get(a.jurorId) ?? 0) + 1);
		for (const j of jurors) expect(after.get(j) ?? 0).toBeLessThanOrEqual((load.get(j) ?? 0) + (j === jurors[0] ? 1 : 0));
		expect(r.short.length).toBe(view.entries.length - r.added);
		for (const s of r.short) expect(s.reasons.join(' ')).toMatch(/ёмкост|эксперт/);
	});

	it('is refused on a closed round, after the deadline, and with a stale or made-up digest', () => {
		const { round } = scoredRound();
		const view = uncertainEntries(db, round.id);
		expect(refusalCode(() => assignExtraReviews(db, ORG, round.id, { perEntry: 1, digest: '0'.repeat(32) }))).toBe('409 stale');
		expect(refusalCode(() => assignExtraReviews(db, ORG, round.id, { perEntry: 9, digest: view.digest }))).toBe('400 bad_per_entry');
		expect(refusalCode(() => assignExtraReviews(db, ORG, round.id, { perEntry: 1, digest: view.digest }, new Date(Date.now() + 30 * 86400_000)))).toBe('409 scoring_closed');
		const n = active(round.id).length;
		expect(n).toBe(48);
	});
});
