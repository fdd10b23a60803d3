/**
 * View models of the results console pages (the routes only parse the query and call these).
 */
import { eq, inArray, sql } from 'drizzle-orm';
import type { DB, DbOrTx } from '../db/client';
import { applications, contests, rounds } from '../db/schema';
import { contestSettings } from '../contests/settings';
import { notFound } from '../errors';
import { regionByCode } from '../../data/regions';
import { expectedReviews, normalizationFallbacks, type LoadedRound } from './load';
import { cachedDerived, cachedResults, cachedRound } from './cache';
import { contestJurors, finalsRound, finalsStarted } from './finals';
import { lastRound } from './decisions';
import { methodLine, ruCompare, shortName, TIE_BREAK_RULE } from './exports';
import { modelView, pageModelJurors } from './model-view';
import type { NormalizationMode } from './compute';
import { NORMALIZATION_MODES, NORMALIZATION_TITLE } from '../../results';

export const PAGE_SIZE = 100;
export type Only = '' | 'flagged' | 'missing' | 'unscored';

export interface ResultsQuery {
	/** The method shown; null: the contest's official one. */
	mode: NormalizationMode | null;
	nomination: string;
	only: Only;
	q: string;
	page: number;
	/**
	 * Show the rank in another method (computes that mode too): a mode, or null. `cmp=1` (the old
	 * on/off switch's link) means the other of 'none'/'zscore' — or 'zscore' beside the model.
	 */
	compare: NormalizationMode | 'auto' | null;
}

/** `norm`/`cmp` query values: a mode, or the old on/off. */
export function parseMode(v: string | null): NormalizationMode | null {
	if (v === 'on') return 'zscore';
	if (v === 'off') return 'none';
	return (NORMALIZATION_MODES as readonly string[]).includes(v ?? '') ? (v as NormalizationMode) : null;
}

export function parseResultsQuery(url: URL): ResultsQuery {
	const norm = url.searchParams.get('norm');
	const cmp = url.searchParams.get('cmp');
	const only = url.searchParams.get('only') ?? '';
	const page = Number(url.searchParams.get('page') ?? '1');
	return {
		mode: parseMode(norm),
		nomination: url.searchParams.get('nom') ?? '',
		only: (['flagged', 'missing', 'unscored'].includes(only) ? only : '') as Only,
		q: (url.searchParams.get('q') ?? '').trim().slice(0, 100),
		page: Number.isInteger(page) && page >= 1 ? page : 1,
		compare: cmp === '1' ? 'auto' : parseMode(cmp)
	};
}

/** applicationId → live reviews not submitted yet (kept with the round's cached data). */
function waitingOf(db: DB, roundId: string): Map<string, number> {
	return cachedDerived(db, roundId, 'waiting', (l: LoadedRound) => {
		const waiting = new Map<string, number>();
		for (const a of l.assignments) if (a.status !== 'submitted') waiting.set(a.applicationId, (waiting.get(a.applicationId) ?? 0) + 1);
		return waiting;
	});
}

function metaOf(db: DB, roundId: string) {
	return cachedDerived(db, roundId, 'meta', (l: LoadedRound) => new Map(l.entries.map((e) => [e.id, e])));
}

/**
 * One page of a round's results. The round's data and the results of the shown method come from
 * the cache (computed once per change of the round and method); another method is computed only
 * when the page compares: a method other than the official one is shown (the column is then the
 * official rank), or `cmp` names one.
 */
export function resultsPage(db: DB, roundId: string, q: ResultsQuery) {
	const l = cachedRound(db, roundId);
	const official = l.contest.settings.normalization;
	const mode = q.mode ?? official;
	const res = cachedResults(db, roundId, { normalization: mode }).results;
	const asked = q.compare === 'auto' ? (mode === 'zscore' ? 'none' : 'zscore') : q.compare;
	const compareWith: NormalizationMode | null = mode !== official ? official : asked && asked !== mode ? asked : null;
	const otherRank = compareWith
		? cachedDerived(db, roundId, `rank:${compareWith}`, () => new Map(cachedResults(db, roundId, { normalization: compareWith }).results.entries.map((e) => [e.applicationId, e.rank])))
		: null;
	const nameOf = (id: string) => l.jurors.get(id)?.fio ?? id;
	// the first page of the per-juror words (attention first); all of them page on the jurors tab
	const model = res.model
		? pageModelJurors(
				cachedDerived(db, roundId, `modelView:${mode}`, () => {
					const meta = metaOf(db, roundId);
					return modelView(res, nameOf, ruCompare, (id) => meta.get(id)?.number ?? id);
				})
			)
		: null;
	/** what actually ranked (the model may have fallen back) */
	const applied: NormalizationMode = res.model ? res.model.applied : mode;
	const meta = metaOf(db, roundId);
	const waiting = waitingOf(db, roundId);
	const nomOrder = new Map(l.nominations.map((n, i) => [n.id, i]));
	const needle = q.q.toLowerCase();
	const filtered = res.entries
		.filter((e) => {
			if (q.nomination && e.nominationId !== q.nomination) return false;
			if (q.only === 'flagged' && !e.flagged) return false;
			if (q.only === 'missing' && e.missing === 0) return false;
			if (q.only === 'unscored' && e.score !== null) return false;
			if (needle) {
				const m = meta.get(e.applicationId)!;
				if (!e.number.toLowerCase().includes(needle) && !m.fio.toLowerCase().includes(needle) && !m.title.toLowerCase().includes(needle)) return false;
			}
			return true;
		})
		.sort((a, b) => (nomOrder.get(a.nominationId) ?? 1e9) - (nomOrder.get(b.nominationId) ?? 1e9) || a.position - b.position);
	const pages = Math.max(1, Math.ceil(filtered.length / PAGE_SIZE));
	const page = Math.min(q.page, pages);
	const rows = filtered.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((e) => {
		const m = meta.get(e.applicationId)!;
		return {
			applicationId: e.applicationId,
			nominationId: e.nominationId,
			number: e.number,
			fio: m.fio,
			title: m.title,
			region: (m.regionCode && regionByCode(m.regionCode)?.name) || '—',
			status: m.status,
			position: e.position,
			rank: e.rank,
			tie: e.tie,
			otherRank: otherRank?.get(e.applicationId) ?? null,
			score: e.score,
			/** 'model' mode: the model's uncertainty of the score (posterior SD) */
			scoreSd: e.scoreSd ?? null,
			rawMean: e.rawMean,
			median: e.median,
			spread: e.spread,
			reviews: e.reviews,
			missing: e.missing,
			waiting: waiting.get(e.applicationId) ?? 0,
			flagged: e.flagged,
			totals: e.totals.map((t) => ({ juror: shortName(l.jurors.get(t.jurorId)?.fio ?? ''), raw: t.raw, normalized: t.normalized })).sort((a, b) => ruCompare(a.juror, b.juror))
		};
	});
	const fallbacks = (applied === 'zscore' ? normalizationFallbacks(res) : []).map((f) => ({ fio: l.jurors.get(f.jurorId)?.fio ?? f.jurorId, reason: f.reason }));
	const fin = finalsRound(db, l.contest.id);
	const last = lastRound(db, l.contest.id);
	const tbId = res.tieBreakByNomination[q.nomination || l.nominations[0]?.id] ?? null;
	return {
		round: l.round,
		contest: { id: l.contest.id, title: l.contest.title, slug: l.contest.slug, phase: l.contest.phase, settings: l.contest.settings },
		nominations: l.nominations,
		k: expectedReviews(l),
		/** the method shown, the official one, their names */
		mode,
		official,
		applied,
		methods: NORMALIZATION_MODES.map((m) => ({ mode: m, title: NORMALIZATION_TITLE[m] })),
		/** the method of the «В другом режиме» column, or null */
		compareWith,
		model,
		summary: res.summary,
		withdrawn: l.withdrawn,
		groups: res.groups,
		fallbacks,
		rows,
		filteredCount: filtered.length,
		page,
		pages,
		tieBreakCriterion: l.criteria.find((c) => c.id === tbId)?.title ?? null,
		tieBreakRule: TIE_BREAK_RULE,
		finals: fin ? { id: fin.id, status: fin.status, started: finalsStarted(db, l.contest.id) } : null,
		decisive: !last || last.id === roundId,
		jurorCount: l.jurors.size
	};
}

/**
 * The juror-bias model's view of a round (the jurors tab): always the 'model' mode, whatever the
 * official method — the organizer sees how strict each juror is before choosing the method. Kept
 * with the round's cached results (computed once per change).
 */
export function roundModelView(db: DB, roundId: string, page = 1) {
	const { loaded: l, results } = cachedResults(db, roundId, { normalization: 'model' });
	return pageModelJurors(
		cachedDerived(db, roundId, 'modelView:model', () => {
			// the entry map once, not one cache read (a transaction) per entry number
			const meta = metaOf(db, roundId);
			return modelView(results, (id) => l.jurors.get(id)?.fio ?? id, ruCompare, (id) => meta.get(id)?.number ?? id);
		}),
		page
	);
}

/** Light header of a round's pages (title, contest, finals link): two small queries. */
export function roundHeader(db: DbOrTx, roundId: string) {
	const r = db.select().from(rounds).where(eq(rounds.id, roundId)).get();
	if (!r) throw notFound('Тур не найден');
	const c = db.select({ id: contests.id, title: contests.title }).from(contests).where(eq(contests.id, r.contestId)).get()!;
	const all = db.select({ id: rounds.id, number: rounds.number, title: rounds.title }).from(rounds).where(eq(rounds.contestId, c.id)).orderBy(rounds.number).all();
	return { round: { id: r.id, number: r.number, title: r.title, status: r.status }, contest: c, rounds: all };
}

/** `<input type="datetime-local">` value read as Moscow time (UTC+3, no DST) → Date; null if empty/invalid. */
export function fromMoscowInput(s: string): Date | null {
	const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(s.trim());
	if (!m) return null;
	const [y, mo, d, h, mi] = m.slice(1).map(Number);
	const wall = Date.UTC(y, mo - 1, d, h, mi);
	const back = new Date(wall);
	if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59) return null;
	return new Date(wall - 3 * 3600_000);
}

/** The finals tab: for round 1 the shortlist form, for a finals round its routing and progress. */
export function finalsPage(db: DB, roundId: string, picks: string[]) {
	const { loaded: l, results: res } = cachedResults(db, roundId);
	const fin = l.round.number === 1 ? finalsRound(db, l.contest.id) : db.select().from(rounds).where(eq(rounds.id, roundId)).get();
	const nomTitle = new Map(l.nominations.map((n) => [n.id, n.title]));
	const byId = new Map(res.entries.map((e) => [e.applicationId, e]));
	const meta = metaOf(db, roundId);
	let finals = null as null | {
		id: string;
		title: string;
		status: 'draft' | 'active' | 'closed';
		deadlineAt: number | null;
		started: boolean;
		k: number;
		jurorIds: string[] | null;
		entries: { number: string; fio: string; nomination: string; jurors: number; submitted: number }[];
		assignments: number;
		submitted: number;
	};
	if (fin) {
		const fl = fin.id === l.round.id ? l : cachedRound(db, fin.id);
		const per = new Map<string, { jurors: number; submitted: number }>();
		for (const a of fl.assignments) {
			const p = per.get(a.applicationId) ?? { jurors: 0, submitted: 0 };
			p.jurors++;
			if (a.status === 'submitted') p.submitted++;
			per.set(a.applicationId, p);
		}
		finals = {
			id: fin.id,
			title: fin.title,
			status: fin.status,
			deadlineAt: fin.deadlineAt?.getTime() ?? null,
			started: finalsStarted(db, l.contest.id),
			k: expectedReviews(fl),
			jurorIds: fl.round.settings.jurorIds ?? null,
			entries: fl.entries.map((e) => ({ number: e.number, fio: e.fio, nomination: nomTitle.get(e.nominationId) ?? '', ...(per.get(e.id) ?? { jurors: 0, submitted: 0 }) })),
			assignments: fl.assignments.length,
			submitted: fl.assignments.filter((a) => a.status === 'submitted').length
		};
	}
	const scoredByNom = l.nominations.map((n) => ({ id: n.id, title: n.title, scored: res.entries.filter((e) => e.nominationId === n.id && e.score !== null).length }));
	return {
		round: l.round,
		contest: { id: l.contest.id, title: l.contest.title, settings: l.contest.settings },
		finals,
		scoredByNom,
		picks: picks
			.filter((id) => byId.has(id))
			.map((id) => ({ id, number: byId.get(id)!.number, fio: meta.get(id)!.fio, nomination: nomTitle.get(byId.get(id)!.nominationId) ?? '', score: byId.get(id)!.score, position: byId.get(id)!.position })),
		jurors: contestJurors(db, l.contest.id)
	};
}

/** Rows of the printable protocol on one page: a round up to this size is printed whole. */
export const PROTOCOL_PAGE = 1000;

/**
 * The printable protocol: the official ranking of every nomination with decisions. A round of up
 * to PROTOCOL_PAGE entries is one page; a larger one is paged by nomination (`nom`, default the
 * first) and, within a nomination, by PROTOCOL_PAGE rows (`page`) — the full protocol of a
 * national round is the XLSX.
 */
export function protocolPage(db: DB, roundId: string, opts: { nomination?: string; page?: number; pageSize?: number } = {}) {
	const size = opts.pageSize ?? PROTOCOL_PAGE;
	const { loaded: l, results: res } = cachedResults(db, roundId);
	const meta = metaOf(db, roundId);
	const stats = new Map(res.jurors.map((j) => [j.jurorId, j]));
	const byNom = cachedDerived(db, roundId, `protocol:${res.settings.normalization}`, () => {
		const m = new Map<string, typeof res.entries>();
		for (const e of res.entries) {
			let list = m.get(e.nominationId);
			if (!list) m.set(e.nominationId, (list = []));
			list.push(e);
		}
		return m;
	});
	const whole = res.entries.length <= size;
	const current = whole ? null : (l.nominations.find((n) => n.id === opts.nomination) ?? l.nominations[0] ?? null);
	const rowsOf = (nominationId: string) => {
		const all = byNom.get(nominationId) ?? [];
		const pages = whole ? 1 : Math.max(1, Math.ceil(all.length / size));
		const page = whole ? 1 : Math.min(Math.max(1, opts.page ?? 1), pages);
		const slice = whole ? all : all.slice((page - 1) * size, page * size);
		return {
			page,
			pages,
			total: all.length,
			rows: slice.map((e) => {
				const m = meta.get(e.applicationId)!;
				return {
					applicationId: e.applicationId,
					position: e.position,
					rank: e.rank,
					tie: e.tie,
					number: e.number,
					fio: m.fio,
					region: (m.regionCode && regionByCode(m.regionCode)?.name) || '—',
					score: e.score,
					scoreSd: e.scoreSd ?? null,
					median: e.median,
					reviews: e.reviews,
					missing: e.missing,
					flagged: e.flagged,
					status: m.status
				};
			})
		};
	};
	return {
		round: l.round,
		contest: { id: l.contest.id, title: l.contest.title, settings: l.contest.settings },
		k: expectedReviews(l),
		summary: res.summary,
		settings: res.settings,
		/** «Метод нормализации: …» of the protocol (with the fallback when the model degraded) */
		method: methodLine(res),
		modelNotes: (res.notes ?? []).filter((n) => n.level === 'warning').map((n) => n.text),
		tieBreakRule: TIE_BREAK_RULE,
		/** null: the whole protocol is on this page; else the nomination shown. */
		paged: current ? { nominationId: current.id, index: l.nominations.indexOf(current) } : null,
		pageSize: size,
		nominationLinks: l.nominations.map((n) => ({ id: n.id, title: n.title, entries: byNom.get(n.id)?.length ?? 0 })),
		nominations: (current ? [current] : l.nominations).map((n) => ({ id: n.id, title: n.title, track: n.track, ...rowsOf(n.id) })),
		jurors: [...l.jurors.values()].map((j) => ({ fio: j.fio, count: stats.get(j.id)?.count ?? 0 })).sort((a, b) => ruCompare(a.fio, b.fio))
	};
}

/** The contest page of the console: results settings, decision mails, winners' spread. */
export function contestResultsPage(db: DbOrTx, contestId: string) {
	const c = db.select().from(contests).where(eq(contests.id, contestId)).get();
	if (!c) throw notFound('Конкурс не найден');
	const s = contestSettings(c.settings);
	const numbers = s.calibrationEntryIds.length
		? db.select({ id: applications.id, number: applications.number }).from(applications).where(inArray(applications.id, s.calibrationEntryIds)).all()
		: [];
	const byId = new Map(numbers.map((n) => [n.id, n.number]));
	const counts = db
		.select({ status: applications.status, n: sql<number>`count(*)` })
		.from(applications)
		.where(eq(applications.contestId, contestId))
		.groupBy(applications.status)
		.all();
	return {
		contest: { id: c.id, title: c.title, phase: c.phase },
		settings: s,
		calibrationNumbers: s.calibrationEntryIds.map((id) => byId.get(id) ?? '').filter(Boolean).join(', '),
		locked: finalsStarted(db, contestId),
		statusCounts: Object.fromEntries(counts.map((r) => [r.status, r.n])) as Record<string, number>,
		rounds: db.select({ id: rounds.id, number: rounds.number, title: rounds.title }).from(rounds).where(eq(rounds.contestId, contestId)).orderBy(rounds.number).all()
	};
}
