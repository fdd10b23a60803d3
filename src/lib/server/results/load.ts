/**
 * Database adapter of the results: reads one round from SQLite into the input of the pure
 * `computeResults` (compute.ts) and runs it.
 *
 * Reading is set-based — a fixed number of queries per round whatever its size (round, contest,
 * nominations, criteria, entries, assignments with their jurors, scores), never one query per
 * entry or per juror. Scores are read with a raw prepared statement (arrays, not objects): the
 * 360 000 score rows of a 24 000-entry round load in a fraction of a second (bench/results-db.ts).
 *
 * What enters the computation:
 * - entries: the round's entries whose application is still competing (not a draft, not
 *   withdrawn); withdrawn ones are counted separately (`withdrawn`) and shown as such;
 * - reviews: the round's assignments in status assigned / draft / submitted (removed and
 *   recused ones are not reviews); only `submitted` ones are counted by computeResults, the
 *   others make the "missing" numbers visible (a juror with only unfinished work appears in the
 *   juror statistics with 0 counted reviews).
 *
 * Criteria per nomination: a criterion with `nominationId = null` applies to every nomination,
 * otherwise only to its own. Nominations that share the same set of criteria are computed
 * together (the usual case — one common rubric — is one call of computeResults over the whole
 * round); when nominations have different rubrics, each group is computed separately (so
 * normalization runs within the round AND the rubric) and the outputs are merged (`mergeOutputs`).
 */
import { asc, eq, inArray } from 'drizzle-orm';
import type { DB } from '../db/client';
import { contests, criteria as criteriaT, nominations, rounds, users, type ApplicationStatus } from '../db/schema';
import { contestSettings, type ContestSettings } from '../contests/settings';
import { notFound } from '../errors';
import { COMPETING, roundSettings, type RoundSettings } from '../review/rounds';
import {
	computeResults,
	SCORE_EPSILON,
	type Criterion,
	type EntryInfo,
	type EntryResult,
	type JurorStats,
	type ModelSummary,
	type NormalizationMode,
	type ResultsNote,
	type ResultsOutput,
	type Review
} from './compute';
import type { JurorEstimate } from './model';

export interface EntryMeta {
	id: string;
	nominationId: string;
	number: string;
	submittedAt: number | null;
	status: ApplicationStatus;
	regionCode: string | null;
	organization: string | null;
	/** The applicant's name (account). */
	fio: string;
	applicantId: string;
	/** Title of the practice from the application form. */
	title: string;
}

export interface AssignmentMeta {
	id: string;
	applicationId: string;
	jurorId: string;
	status: 'assigned' | 'draft' | 'submitted';
	source: 'auto' | 'manual';
	startedAt: number | null;
	submittedAt: number | null;
	/** The juror's note for the organizers. */
	comment: string;
	/** The juror's feedback for the applicant (shown once released). */
	feedback: string;
}

export interface CriterionMeta extends Criterion {
	title: string;
	nominationId: string | null;
	sort: number;
}

export interface LoadedRound {
	round: { id: string; number: number; title: string; status: 'draft' | 'active' | 'closed'; deadlineAt: number | null; settings: RoundSettings };
	contest: { id: string; slug: string; title: string; year: number; phase: string; settings: ContestSettings; rawSettings: Record<string, unknown> };
	nominations: { id: string; title: string; track: 'mentor' | 'practice'; sort: number }[];
	criteria: CriterionMeta[];
	entries: EntryMeta[];
	/** Entries of the round whose application was withdrawn (or is a draft again): not computed. */
	withdrawn: number;
	assignments: AssignmentMeta[];
	jurors: Map<string, { id: string; fio: string; email: string }>;
	/** assignmentId → criterionId → value */
	scores: Map<string, Record<string, number>>;
}


/** Reads everything the results of a round depend on (a fixed number of queries). */
export function loadRound(db: DB, roundId: string): LoadedRound {
	const r = db.select().from(rounds).where(eq(rounds.id, roundId)).get();
	if (!r) throw notFound('Тур не найден');
	const c = db.select().from(contests).where(eq(contests.id, r.contestId)).get()!;
	const noms = db
		.select({ id: nominations.id, title: nominations.title, track: nominations.track, sort: nominations.sort })
		.from(nominations)
		.where(eq(nominations.contestId, c.id))
		.orderBy(asc(nominations.sort), asc(nominations.title))
		.all();
	const crit = db
		.select({
			id: criteriaT.id,
			title: criteriaT.title,
			weight: criteriaT.weight,
			scaleMin: criteriaT.scaleMin,
			scaleMax: criteriaT.scaleMax,
			nominationId: criteriaT.nominationId,
			sort: criteriaT.sort
		})
		.from(criteriaT)
		.where(eq(criteriaT.contestId, c.id))
		.orderBy(asc(criteriaT.sort), asc(criteriaT.createdAt))
		.all();

	// The three big reads use raw prepared statements (rows as arrays, no per-row object mapping
	// or Date conversion, the practice title extracted in SQL): they dominate the load time.
	// Memory (issue 18, the cache keeps a national round for every page): rows are iterated, not
	// collected with .all() — 244 000 score rows and 72 000 assignment rows as arrays, all alive at
	// once, outlived young-generation collections and were promoted, growing V8's old space by
	// ≈ 100 MB that stayed in RSS after the load; an iterated row dies young. And the ids repeated
	// in every row (an assignment's application and juror, a score's assignment) share one string
	// per id instead of a fresh copy per row (≈ 11 MB of the cached round).
	const entries: EntryMeta[] = [];
	const entryIds = new Map<string, string>();
	let withdrawn = 0;
	const entryRows = db.$client
		.prepare(
			`SELECT a.id, a.nomination_id, a.number, a.submitted_at, a.status, a.region_code, a.organization, u.fio, a.applicant_id,
			        coalesce(json_extract(a.practice, '$.title'), '')
			 FROM round_entries e
			 JOIN applications a ON a.id = e.application_id
			 JOIN users u ON u.id = a.applicant_id
			 WHERE e.round_id = ?
			 ORDER BY a.seq`
		)
		.raw(true)
		.iterate(roundId) as IterableIterator<[string, string, string | null, number | null, ApplicationStatus, string | null, string | null, string, string, string]>;
	for (const e of entryRows) {
		if (!COMPETING.includes(e[4])) {
			withdrawn++;
			continue;
		}
		entryIds.set(e[0], e[0]);
		entries.push({
			id: e[0],
			nominationId: e[1],
			number: e[2] ?? `без номера (${e[0].slice(0, 6)})`,
			submittedAt: e[3],
			status: e[4],
			regionCode: e[5],
			organization: e[6],
			fio: e[7],
			applicantId: e[8],
			title: String(e[9] ?? '')
		});
	}

	const asg = db.$client
		.prepare(
			`SELECT id, application_id, juror_id, status, source, started_at, submitted_at, comment, feedback
			 FROM assignments WHERE round_id = ? AND status IN ('assigned', 'draft', 'submitted')`
		)
		.raw(true)
		.iterate(roundId) as IterableIterator<[string, string, string, AssignmentMeta['status'], AssignmentMeta['source'], number | null, number | null, string, string]>;
	const list: AssignmentMeta[] = [];
	/** one string per juror id, and per assignment id (the scores' keys below) */
	const jurorIds = new Map<string, string>();
	const assignmentIds = new Map<string, string>();
	for (const a of asg) {
		let jurorId = jurorIds.get(a[2]);
		if (jurorId === undefined) jurorIds.set(a[2], (jurorId = a[2]));
		assignmentIds.set(a[0], a[0]);
		list.push({ id: a[0], applicationId: entryIds.get(a[1]) ?? a[1], jurorId, status: a[3], source: a[4], startedAt: a[5], submittedAt: a[6], comment: a[7], feedback: a[8] });
	}
	const jurors = new Map<string, { id: string; fio: string; email: string }>();
	const ids = [...jurorIds.keys()];
	for (let i = 0; i < ids.length; i += 500)
		for (const u of db.select({ id: users.id, fio: users.fio, email: users.email }).from(users).where(inArray(users.id, ids.slice(i, i + 500))).all()) {
			const id = jurorIds.get(u.id) ?? u.id;
			jurors.set(id, { ...u, id });
		}

	// Scores of the round's live assignments: one statement, rows as arrays.
	const scores = new Map<string, Record<string, number>>();
	const scoreRows = db.$client
		.prepare(
			`SELECT s.assignment_id, s.criterion_id, s.value FROM scores s
			 JOIN assignments a ON a.id = s.assignment_id
			 WHERE a.round_id = ? AND a.status IN ('assigned', 'draft', 'submitted')`
		)
		.raw(true)
		.iterate(roundId) as IterableIterator<[string, string, number]>;
	for (const row of scoreRows) {
		let rec = scores.get(row[0]);
		if (!rec) scores.set(assignmentIds.get(row[0]) ?? row[0], (rec = {}));
		rec[row[1]] = row[2];
	}

	const settings = contestSettings(c.settings);
	return {
		round: { id: r.id, number: r.number, title: r.title, status: r.status, deadlineAt: r.deadlineAt ? r.deadlineAt.getTime() : null, settings: roundSettings(r.settings) },
		contest: { id: c.id, slug: c.slug, title: c.title, year: c.year, phase: c.phase, settings, rawSettings: (c.settings ?? {}) as Record<string, unknown> },
		nominations: noms,
		criteria: crit,
		entries,
		withdrawn,
		assignments: list,
		jurors,
		scores
	};
}

/** K of a round: its override or the contest's jurorsPerEntry. */
export function expectedReviews(l: Pick<LoadedRound, 'round' | 'contest'>): number {
	return l.round.settings.k ?? l.contest.settings.jurorsPerEntry;
}

/** The criteria that apply to a nomination: the common ones and its own. */
export function criteriaOf(l: Pick<LoadedRound, 'criteria'>, nominationId: string): CriterionMeta[] {
	return l.criteria.filter((c) => c.nominationId === null || c.nominationId === nominationId);
}

export interface RoundResults extends ResultsOutput {
	/** Tie-break criterion (step 3 of the chain) per nomination. */
	tieBreakByNomination: Record<string, string | null>;
	/** Nomination groups computed separately because their rubrics differ (1 = one common rubric). */
	groups: number;
}

/**
 * Which normalization method to compute: `normalization` overrides the contest setting (the
 * console's method switch, an export's `norm`); the old boolean `normalize` is still accepted
 * (true = 'zscore', false = 'none'); neither — the contest's official method.
 */
export interface ModeOptions {
	normalization?: NormalizationMode;
	/** @deprecated the old on/off switch; `normalization` wins when both are given */
	normalize?: boolean;
}

export function modeOf(l: Pick<LoadedRound, 'contest'>, opts: ModeOptions = {}): NormalizationMode {
	if (opts.normalization) return opts.normalization;
	if (opts.normalize !== undefined) return opts.normalize ? 'zscore' : 'none';
	return l.contest.settings.normalization;
}

/**
 * computeResults over a loaded round in one normalization mode (`modeOf`); everything else comes
 * from the contest settings and the round's K.
 */
export function computeRound(l: LoadedRound, opts: ModeOptions = {}): RoundResults {
	const normalization = modeOf(l, opts);
	const settings = {
		normalize: normalization !== 'none',
		normalization,
		disagreementThreshold: l.contest.settings.disagreementThreshold,
		expectedReviews: expectedReviews(l)
	};
	// Group nominations by their set of criteria.
	const groups = new Map<string, { nominationIds: Set<string>; criteria: Criterion[] }>();
	const nomIds = new Set([...l.nominations.map((n) => n.id), ...l.entries.map((e) => e.nominationId)]);
	for (const n of nomIds) {
		const crit = criteriaOf(l, n);
		const key = crit
			.map((c) => c.id)
			.sort()
			.join(',');
		let g = groups.get(key);
		if (!g) groups.set(key, (g = { nominationIds: new Set(), criteria: crit.map(({ id, weight, scaleMin, scaleMax }) => ({ id, weight, scaleMin, scaleMax })) }));
		g.nominationIds.add(n);
	}
	const toEntry = (e: EntryMeta): EntryInfo => ({
		id: e.id,
		nominationId: e.nominationId,
		number: e.number,
		submittedAt: e.submittedAt === null ? '' : new Date(e.submittedAt).toISOString()
	});
	const toReview = (a: AssignmentMeta): Review => ({
		assignmentId: a.id,
		applicationId: a.applicationId,
		jurorId: a.jurorId,
		scores: l.scores.get(a.id) ?? {},
		submitted: a.status === 'submitted'
	});

	if (groups.size <= 1) {
		const g = [...groups.values()][0];
		const out = computeResults({ entries: l.entries.map(toEntry), criteria: g?.criteria ?? [], reviews: l.assignments.map(toReview), settings });
		const tb: Record<string, string | null> = {};
		for (const n of nomIds) tb[n] = out.tieBreakCriterionId;
		return { ...out, tieBreakByNomination: tb, groups: 1 };
	}

	const nomGroup = new Map<string, number>();
	const gl = [...groups.values()];
	gl.forEach((g, i) => g.nominationIds.forEach((n) => nomGroup.set(n, i)));
	const entryGroup = new Map<string, number>();
	const entriesBy: EntryInfo[][] = gl.map(() => []);
	for (const e of l.entries) {
		const gi = nomGroup.get(e.nominationId)!;
		entryGroup.set(e.id, gi);
		entriesBy[gi].push(toEntry(e));
	}
	const reviewsBy: Review[][] = gl.map(() => []);
	for (const a of l.assignments) {
		const gi = entryGroup.get(a.applicationId);
		if (gi !== undefined) reviewsBy[gi].push(toReview(a));
	}
	const outs = gl.map((g, i) => computeResults({ entries: entriesBy[i], criteria: g.criteria, reviews: reviewsBy[i], settings }));
	const merged = mergeOutputs(outs, gl.map((g) => g.criteria.length));
	const tb: Record<string, string | null> = {};
	gl.forEach((g, i) => g.nominationIds.forEach((n) => (tb[n] = outs[i].tieBreakCriterionId)));
	return { ...merged, tieBreakByNomination: tb, groups: gl.length };
}

/**
 * Merges outputs of disjoint nomination groups: entries re-sorted by (nominationId, position)
 * as computeResults does; summaries added; in 'model' mode the model is fitted per group (its
 * review graph is the group's), so the notes are concatenated (each group's, in group order) and
 * the summaries combined (`mergeModels`); juror statistics pooled over the groups — count and
 * the extreme share add up exactly, mean and SD are pooled from the per-group moments,
 * min/max combine, `flat` is recomputed from the pooled min/max, and the agreement is the mean of
 * the per-group agreements weighted by the juror's counted reviews in each group (the per-group
 * number of shared entries is not exposed by computeResults — an approximation documented here).
 */
export function mergeOutputs(outs: ResultsOutput[], criteriaCounts: number[]): ResultsOutput {
	const entries: EntryResult[] = outs.flatMap((o) => o.entries);
	entries.sort((a, b) => (a.nominationId < b.nominationId ? -1 : a.nominationId > b.nominationId ? 1 : a.position - b.position));
	const acc = new Map<string, { n: number; sum: number; sq: number; min: number; max: number; ext: number; extDen: number; agr: number; agrW: number }>();
	outs.forEach((o, gi) => {
		for (const j of o.jurors) {
			let a = acc.get(j.jurorId);
			if (!a) acc.set(j.jurorId, (a = { n: 0, sum: 0, sq: 0, min: Infinity, max: -Infinity, ext: 0, extDen: 0, agr: 0, agrW: 0 }));
			if (j.count === 0 || j.mean === null || j.sd === null) continue;
			a.n += j.count;
			a.sum += j.mean * j.count;
			a.sq += (j.sd * j.sd + j.mean * j.mean) * j.count;
			a.min = Math.min(a.min, j.min ?? Infinity);
			a.max = Math.max(a.max, j.max ?? -Infinity);
			if (j.extremeShare !== null) {
				a.ext += j.extremeShare * j.count * criteriaCounts[gi];
				a.extDen += j.count * criteriaCounts[gi];
			}
			if (j.agreement !== null) {
				a.agr += j.agreement * j.count;
				a.agrW += j.count;
			}
		}
	});
	const jurors: JurorStats[] = [...acc.entries()]
		.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
		.map(([jurorId, a]) => {
			if (a.n === 0) return { jurorId, count: 0, mean: null, sd: null, min: null, max: null, flat: false, extremeShare: null, agreement: null };
			const mean = a.sum / a.n;
			return {
				jurorId,
				count: a.n,
				mean,
				sd: Math.sqrt(Math.max(0, a.sq / a.n - mean * mean)),
				min: a.min,
				max: a.max,
				flat: a.n >= 3 && a.max - a.min <= SCORE_EPSILON,
				extremeShare: a.extDen > 0 ? a.ext / a.extDen : null,
				agreement: a.agrW > 0 ? a.agr / a.agrW : null
			};
		});
	const sum = (k: keyof ResultsOutput['summary']) => outs.reduce((s, o) => s + o.summary[k], 0);
	const models = outs.map((o) => o.model).filter((m): m is ModelSummary => !!m);
	const notes = outs.flatMap((o) => o.notes ?? []);
	return {
		entries,
		jurors,
		summary: {
			entries: sum('entries'),
			fullyReviewed: sum('fullyReviewed'),
			withMissing: sum('withMissing'),
			flagged: sum('flagged'),
			unscored: sum('unscored'),
			countedReviews: sum('countedReviews'),
			skippedReviews: sum('skippedReviews')
		},
		settings: outs[0].settings,
		tieBreakCriterionId: outs[0].tieBreakCriterionId,
		...(models.length ? { notes: notes.length ? [separateFitNote(models.length), ...notes] : [separateFitNote(models.length)], model: mergeModels(models) } : {})
	};
}

function separateFitNote(groups: number): ResultsNote {
	return {
		code: 'model_groups',
		level: 'info',
		text: `У номинаций разные наборы критериев: модель строгости подобрана отдельно для каждой из ${groups} групп номинаций с общей рубрикой; строгость эксперта в разных группах оценивается независимо.`
	};
}

/**
 * Model summaries of disjoint groups as one: 'model' applied when any group used the model (the
 * groups that fell back say so in their notes), else the common fallback; components add up;
 * converged only if every group converged; μ and σ0 are the review-weighted means; a juror who
 * scored in several groups keeps the estimate of the group with most of their reviews (ties: the
 * first group).
 */
export function mergeModels(models: ModelSummary[]): ModelSummary {
	const applied: NormalizationMode = models.some((m) => m.applied === 'model') ? 'model' : models.some((m) => m.applied === 'zscore') ? 'zscore' : 'none';
	const weight = (m: ModelSummary) => m.jurors.reduce((s, j) => s + j.reviews, 0);
	const total = models.reduce((s, m) => s + weight(m), 0);
	const avg = (k: 'mu' | 'sigma0') => (total > 0 ? models.reduce((s, m) => s + m[k] * weight(m), 0) / total : models[0][k]);
	const best = new Map<string, JurorEstimate>();
	for (const m of models)
		for (const j of m.jurors) {
			const prev = best.get(j.jurorId);
			if (!prev || j.reviews > prev.reviews) best.set(j.jurorId, j);
		}
	return {
		method: models[0].method,
		applied,
		converged: models.every((m) => m.converged),
		iterations: Math.max(...models.map((m) => m.iterations)),
		components: models.reduce((s, m) => s + m.components, 0),
		mu: avg('mu'),
		sigma0: avg('sigma0'),
		jurors: [...best.values()].sort((a, b) => (a.jurorId < b.jurorId ? -1 : a.jurorId > b.jurorId ? 1 : 0))
	};
}

/** Load + compute in one call (what most pages need). */
export function roundResults(db: DB, roundId: string, opts: ModeOptions = {}) {
	const loaded = loadRound(db, roundId);
	return { loaded, results: computeRound(loaded, opts) };
}

/**
 * Jurors whose normalization falls back to a shift (one counted review, or all their totals
 * equal): the console shows a note instead of hiding it. Uses the juror statistics of the output.
 */
export function normalizationFallbacks(results: Pick<ResultsOutput, 'jurors'>): { jurorId: string; reason: 'single' | 'equal' }[] {
	const out: { jurorId: string; reason: 'single' | 'equal' }[] = [];
	for (const j of results.jurors) {
		if (j.count === 1) out.push({ jurorId: j.jurorId, reason: 'single' });
		else if (j.count > 1 && j.sd !== null && j.sd <= SCORE_EPSILON) out.push({ jurorId: j.jurorId, reason: 'equal' });
	}
	return out;
}
