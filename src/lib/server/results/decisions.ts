/**
 * Decisions: winners per nomination (the number per nomination is the contest setting
 * `winnersPerNomination`), the resulting application statuses, and the regional spread of the
 * winners.
 *
 * The decisive round is the last one of the contest (the finals when there are finals). The
 * console proposes, by the official ranking (contest normalization setting, documented tie-break
 * of compute.ts), only entries that clear a floor (`proposalBlockers`): among the first N of the
 * nomination, within the better half of its scored entries (at least one), scored at least
 * WINNER_MIN_SCORE of 100, without a disagreement flag and with every review. Every candidate
 * that is not proposed says why; the organizer may still tick it (at most N per nomination). Marking winners, in ONE transaction: chosen → «winner»,
 * every other competing application of the contest → «not_selected», one audit event per
 * changed application plus one `results.winners` decision event.
 */
import { and, desc, eq, inArray, notInArray } from 'drizzle-orm';
import type { DB, DbOrTx } from '../db/client';
import { applications, nominations, rounds, users } from '../db/schema';
import { audit } from '../audit';
import { DomainError } from '../errors';
import { districtOf, regionByCode, FEDERAL_DISTRICTS } from '../../data/regions';
import { pickWinners } from './compute';
import { roundResults } from './load';
import { cachedResults } from './cache';
import { setStatuses } from './finals';
import { by, type Actor } from '../actor';

export interface WinnerCandidate {
	applicationId: string;
	number: string;
	fio: string;
	title: string;
	regionCode: string | null;
	score: number;
	rank: number;
	place: number;
	tie: boolean;
	flagged: boolean;
	missing: number;
	reviews: number;
	status: string;
	/** Proposed by the ranking: the first N that clear the floor. */
	proposed: boolean;
	/** Why the console does not propose it (empty when proposed). */
	reasons: string[];
}

export interface NominationDecision {
	id: string;
	title: string;
	track: 'mentor' | 'practice';
	candidates: WinnerCandidate[];
	tieAtCutoff: boolean;
	unscored: number;
}

/** The contest's last round (the decisive one). */
export function lastRound(db: DbOrTx, contestId: string) {
	return db.select().from(rounds).where(eq(rounds.contestId, contestId)).orderBy(desc(rounds.number)).limit(1).get();
}

/** The lowest score (of 100) the console proposes as a winner. */
export const WINNER_MIN_SCORE = 50;

export const PROPOSAL_RULE = `Предлагаются только заявки из первых N номинации, не больше половины оценённых заявок номинации (но хотя бы одна), с баллом не ниже ${WINNER_MIN_SCORE} из 100, без расхождения оценок экспертов и со всеми отзывами. Остальных можно отметить вручную — рядом написано, почему они не предложены.`;

/** Why an entry of a nomination with `scored` scored entries is not proposed (empty: proposed). Pure. */
export function proposalBlockers(e: { place: number; score: number; flagged: boolean; missing: number }, scored: number, perNomination: number): string[] {
	const half = Math.max(1, Math.floor(scored / 2));
	const out: string[] = [];
	if (e.place > perNomination) out.push(`ниже ${perNomination}-го места (победителей в номинации — ${perNomination})`);
	else if (e.place > half) out.push(`победителей не больше половины оценённых заявок номинации (${half} из ${scored})`);
	if (e.score < WINNER_MIN_SCORE - 1e-9) out.push(`балл ниже ${WINNER_MIN_SCORE} из 100`);
	if (e.flagged) out.push('расхождение оценок экспертов — решите сами');
	if (e.missing > 0) out.push(`не хватает отзывов: ${e.missing}`);
	return out;
}

/** How many extra candidates below the cut the console lists per nomination. */
const EXTRA = 5;

export function winnersPreview(db: DB, roundId: string) {
	const { loaded, results } = cachedResults(db, roundId);
	const last = lastRound(db, loaded.contest.id);
	const n = loaded.contest.settings.winnersPerNomination;
	const picks = new Map(pickWinners(results, n).map((w) => [w.nominationId, w]));
	const meta = new Map(loaded.entries.map((e) => [e.id, e]));
	const byNom = new Map<string, typeof results.entries>();
	for (const r of results.entries) {
		let l = byNom.get(r.nominationId);
		if (!l) byNom.set(r.nominationId, (l = []));
		l.push(r);
	}
	const noms: NominationDecision[] = loaded.nominations
		.filter((nom) => byNom.has(nom.id))
		.map((nom) => {
			const list = byNom.get(nom.id)!;
			const scored = list.filter((r) => r.score !== null).length;
			return {
				id: nom.id,
				title: nom.title,
				track: nom.track,
				tieAtCutoff: picks.get(nom.id)?.tieAtCutoff ?? false,
				unscored: list.filter((r) => r.score === null).length,
				candidates: list
					.filter((r) => r.score !== null)
					.slice(0, n + EXTRA)
					.map((r) => {
						const m = meta.get(r.applicationId)!;
						return {
							applicationId: r.applicationId,
							number: r.number,
							fio: m.fio,
							title: m.title,
							regionCode: m.regionCode,
							score: r.score!,
							rank: r.rank!,
							place: r.position,
							tie: r.tie,
							flagged: r.flagged,
							missing: r.missing,
							reviews: r.reviews,
							status: m.status,
							proposed: false,
							reasons: proposalBlockers({ place: r.position, score: r.score!, flagged: r.flagged, missing: r.missing }, scored, n)
						};
					})
					.map((c) => ({ ...c, proposed: c.reasons.length === 0 }))
			};
		});
	return {
		round: loaded.round,
		contest: loaded.contest,
		perNomination: n,
		decisive: !last || last.id === roundId,
		decided: loaded.entries.some((e) => e.status === 'winner'),
		rule: PROPOSAL_RULE,
		nominations: noms
	};
}

/**
 * Marks the winners of a contest from its decisive round. `winnerIds`: the chosen entries (at
 * most `winnersPerNomination` per nomination, all scored entries of the round).
 */
export function markWinners(db: DB, actor: Actor, roundId: string, winnerIds: string[], now = new Date()) {
	const { loaded, results } = roundResults(db, roundId);
	const last = lastRound(db, loaded.contest.id);
	if (last && last.id !== roundId) throw new DomainError(409, 'not_decisive', `Победителей определяют по последнему туру («${last.title}»)`);
	const ids = [...new Set(winnerIds)];
	if (!ids.length) throw new DomainError(400, 'no_winners', 'Отметьте хотя бы одного победителя');
	const byId = new Map(results.entries.map((r) => [r.applicationId, r]));
	const bad = ids.filter((id) => byId.get(id)?.score == null);
	if (bad.length) throw new DomainError(400, 'not_scored', 'Победителем можно отметить только оценённую заявку этого тура');
	const n = loaded.contest.settings.winnersPerNomination;
	const count = new Map<string, number>();
	for (const id of ids) count.set(byId.get(id)!.nominationId, (count.get(byId.get(id)!.nominationId) ?? 0) + 1);
	const over = loaded.nominations.filter((nom) => (count.get(nom.id) ?? 0) > n);
	if (over.length) throw new DomainError(400, 'too_many', `Не больше ${n} победителей в номинации; превышено: ${over.map((o) => `«${o.title}»`).join(', ')}`);

	return db.transaction((tx) => {
		const before = tx
			.select({ number: applications.number })
			.from(applications)
			.where(and(eq(applications.contestId, loaded.contest.id), eq(applications.status, 'winner')))
			.all()
			.map((r) => r.number);
		const won = setStatuses(tx, actor, ids, ['submitted', 'in_review', 'finalist', 'not_selected'], 'winner', now, 'results.winners');
		const others = tx
			.select({ id: applications.id })
			.from(applications)
			.where(and(eq(applications.contestId, loaded.contest.id), inArray(applications.status, ['submitted', 'in_review', 'finalist', 'winner']), notInArray(applications.id, ids)))
			.all()
			.map((r) => r.id);
		const lost = setStatuses(tx, actor, others, ['submitted', 'in_review', 'finalist', 'winner'], 'not_selected', now, 'results.winners');
		const nomTitle = new Map(loaded.nominations.map((x) => [x.id, x.title]));
		audit(
			tx,
			{
				...by(actor),
				action: 'results.winners',
				entity: 'contest',
				entityId: loaded.contest.id,
				before: { winners: before },
				after: {
					roundId,
					perNomination: n,
					normalize: loaded.contest.settings.normalize,
					normalization: results.settings.normalization,
					...(results.model ? { modelApplied: results.model.applied } : {}),
					winners: ids
						.map((id) => byId.get(id)!)
						.sort((a, b) => (a.nominationId < b.nominationId ? -1 : a.nominationId > b.nominationId ? 1 : a.position - b.position))
						.map((r) => ({ number: r.number, nomination: nomTitle.get(r.nominationId), place: r.position, score: Math.round(r.score! * 100) / 100 }))
				}
			},
			now
		);
		return { winners: ids.length, changedToWinner: won, changedToNotSelected: lost };
	});
}

export interface Spread {
	total: number;
	regions: number;
	districts: number;
	byTrack: { mentor: number; practice: number };
	byDistrict: { code: string; short: string; name: string; count: number }[];
	byRegion: { code: string; name: string; district: string; count: number }[];
	unknownRegion: number;
	winners: { number: string | null; fio: string; nomination: string; track: 'mentor' | 'practice'; regionCode: string | null; regionName: string }[];
}

/** The regional spread of a contest's winners (by federal district and region, per track). */
export function winnersSpread(db: DbOrTx, contestId: string): Spread {
	const rows = db
		.select({ number: applications.number, regionCode: applications.regionCode, fio: users.fio, nomination: nominations.title, track: nominations.track })
		.from(applications)
		.innerJoin(nominations, eq(nominations.id, applications.nominationId))
		.innerJoin(users, eq(users.id, applications.applicantId))
		.where(and(eq(applications.contestId, contestId), eq(applications.status, 'winner')))
		.orderBy(applications.seq)
		.all();
	const byRegion = new Map<string, number>();
	const byDistrict = new Map<string, number>();
	let unknown = 0;
	const byTrack = { mentor: 0, practice: 0 };
	for (const r of rows) {
		byTrack[r.track]++;
		const reg = r.regionCode ? regionByCode(r.regionCode) : undefined;
		if (!reg) {
			unknown++;
			continue;
		}
		byRegion.set(reg.code, (byRegion.get(reg.code) ?? 0) + 1);
		byDistrict.set(reg.district, (byDistrict.get(reg.district) ?? 0) + 1);
	}
	return {
		total: rows.length,
		regions: byRegion.size,
		districts: byDistrict.size,
		byTrack,
		byDistrict: FEDERAL_DISTRICTS.map((d) => ({ code: d.code, short: d.short, name: d.name, count: byDistrict.get(d.code) ?? 0 })),
		byRegion: [...byRegion.entries()]
			.map(([code, count]) => {
				const reg = regionByCode(code)!;
				return { code, name: reg.name, district: districtOf(code)?.short ?? '', count };
			})
			.sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, 'ru')),
		unknownRegion: unknown,
		winners: rows.map((r) => ({ ...r, regionName: (r.regionCode && regionByCode(r.regionCode)?.name) || '—' }))
	};
}

/** Whether a contest has decided winners (for the feedback / mailing pages). */
export function hasDecision(db: DbOrTx, contestId: string): boolean {
	return !!db
		.select({ id: applications.id })
		.from(applications)
		.where(and(eq(applications.contestId, contestId), inArray(applications.status, ['winner'])))
		.limit(1)
		.get();
}
