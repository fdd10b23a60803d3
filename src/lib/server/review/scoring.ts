/**
 * The juror's side (DESIGN.md, flow 4): the queue, one assessment (materials + rubric + scores),
 * saving a draft or submitting, recusal. A juror sees only their own assignments and scores:
 * every function takes the juror (id, or the `Actor` for the writes, whose address the audit log
 * records) and refuses (403) anything that is not theirs.
 *
 * Concurrency: every save names the assignment `version` it edited; a save from a stale tab is
 * refused with 409 and the stored values, so nothing is overwritten silently.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { applications, assets, assignments, contests, criteria, nominations, rounds, scores } from '../db/schema';
import { DomainError, notFound } from '../errors';
import { audit } from '../audit';
import { assignmentRefusal } from '../auth/access';
import { criteriaFor, type Criterion } from './rubric';
import { scoringOpen, type Round } from './rounds';
import { by, type Actor } from '../actor';
import { rerouteEntry } from './plan';
import { upsertConflict } from './assignments';

type AssignmentRow = typeof assignments.$inferSelect;

export const COMMENT_MAX = 5000;
export const FEEDBACK_MAX = 5000;

interface Loaded {
	a: AssignmentRow;
	round: Round;
	app: typeof applications.$inferSelect;
	contest: typeof contests.$inferSelect;
}

/**
 * The assignment of this juror, or a refusal: 404 unknown, 403 someone else's (never saying
 * whose), 403 a round that has not started yet, 410 removed or recused.
 */
export function loadOwnAssignment(db: DbOrTx, jurorId: string, assignmentId: string): Loaded {
	const row = db
		.select({ a: assignments, round: rounds, app: applications, contest: contests })
		.from(assignments)
		.innerJoin(rounds, eq(rounds.id, assignments.roundId))
		.innerJoin(applications, eq(applications.id, assignments.applicationId))
		.innerJoin(contests, eq(contests.id, rounds.contestId))
		.where(eq(assignments.id, assignmentId))
		.get();
	if (!row) throw notFound('Назначение не найдено');
	const refused = assignmentRefusal({ id: jurorId, role: 'jury' }, row.a, row.round);
	if (refused) throw refused;
	return row;
}

function closedMessage(round: Round, now: Date): string | null {
	if (round.status === 'closed') return 'Тур закрыт: оценки больше не принимаются';
	if (round.status === 'draft') return 'Тур ещё не начат';
	if (!scoringOpen(round, now)) return 'Срок тура истёк: оценки больше не принимаются';
	return null;
}

// ---------------------------------------------------------------------------------------------
// queue

export interface QueueItem {
	id: string;
	number: string | null;
	nominationId: string;
	nominationTitle: string;
	title: string;
	fio: string;
	status: AssignmentRow['status'];
	updatedAt: Date;
	/** A calibration entry (contest setting): every juror of the nomination scores it first. */
	calibration: boolean;
}

export interface QueueRound {
	id: string;
	number: number;
	title: string;
	contestTitle: string;
	status: Round['status'];
	deadlineAt: Date | null;
	open: boolean;
	total: number;
	submitted: number;
	draft: number;
	items: QueueItem[];
}

export interface QueueFilter {
	status?: 'assigned' | 'draft' | 'submitted' | 'todo';
	nominationId?: string;
}

/** The juror's assignments in started rounds, per round, with progress (submitted / total). */
export function juryQueue(db: DbOrTx, jurorId: string, filter: QueueFilter = {}, now = new Date()): { rounds: QueueRound[]; nominations: { id: string; title: string }[] } {
	const rows = db
		.select({
			id: assignments.id,
			status: assignments.status,
			updatedAt: assignments.updatedAt,
			round: rounds,
			contestTitle: contests.title,
			contestSettings: contests.settings,
			applicationId: applications.id,
			number: applications.number,
			seq: applications.seq,
			about: applications.about,
			practice: applications.practice,
			nominationId: nominations.id,
			nominationTitle: nominations.title
		})
		.from(assignments)
		.innerJoin(rounds, eq(rounds.id, assignments.roundId))
		.innerJoin(contests, eq(contests.id, rounds.contestId))
		.innerJoin(applications, eq(applications.id, assignments.applicationId))
		.innerJoin(nominations, eq(nominations.id, applications.nominationId))
		.where(and(eq(assignments.jurorId, jurorId), inArray(assignments.status, ['assigned', 'draft', 'submitted']), inArray(rounds.status, ['active', 'closed'])))
		.orderBy(asc(rounds.number), asc(applications.seq))
		.all();
	const byRound = new Map<string, QueueRound>();
	const noms = new Map<string, string>();
	for (const r of rows) {
		let q = byRound.get(r.round.id);
		if (!q) {
			q = { id: r.round.id, number: r.round.number, title: r.round.title, contestTitle: r.contestTitle, status: r.round.status, deadlineAt: r.round.deadlineAt, open: scoringOpen(r.round, now), total: 0, submitted: 0, draft: 0, items: [] };
			byRound.set(r.round.id, q);
		}
		q.total++;
		if (r.status === 'submitted') q.submitted++;
		if (r.status === 'draft') q.draft++;
		noms.set(r.nominationId, r.nominationTitle);
		const st = filter.status;
		if (st && (st === 'todo' ? r.status === 'submitted' : r.status !== st)) continue;
		if (filter.nominationId && r.nominationId !== filter.nominationId) continue;
		const practice = (r.practice ?? {}) as Record<string, unknown>;
		const about = (r.about ?? {}) as Record<string, unknown>;
		q.items.push({
			id: r.id,
			number: r.number,
			nominationId: r.nominationId,
			nominationTitle: r.nominationTitle,
			title: String(practice.title ?? ''),
			fio: String(about.fio ?? ''),
			status: r.status,
			updatedAt: r.updatedAt,
			calibration: ((r.contestSettings as { calibrationEntryIds?: string[] })?.calibrationEntryIds ?? []).includes(r.applicationId)
		});
	}
	// Calibration entries first in each round (a stable sort keeps the order by number otherwise).
	for (const q of byRound.values()) q.items.sort((a, b) => Number(b.calibration) - Number(a.calibration));
	// active rounds first, then the newest
	const list = [...byRound.values()].sort((a, b) => Number(b.status === 'active') - Number(a.status === 'active') || b.number - a.number);
	return { rounds: list, nominations: [...noms].map(([id, title]) => ({ id, title })).sort((a, b) => a.title.localeCompare(b.title, 'ru')) };
}

// ---------------------------------------------------------------------------------------------
// one assessment

export interface ScoringView {
	assignment: { id: string; status: AssignmentRow['status']; version: number; comment: string; feedback: string; startedAt: Date | null; submittedAt: Date | null; updatedAt: Date };
	round: { id: string; number: number; title: string; status: Round['status']; deadlineAt: Date | null; open: boolean; closedMessage: string | null };
	contestTitle: string;
	application: {
		number: string | null;
		nominationTitle: string;
		track: 'mentor' | 'practice';
		about: Record<string, string>;
		practice: Record<string, string>;
		letterText: string;
	};
	files: { video: MediaFile | null; poster: MediaFile | null; letter: MediaFile | null };
	criteria: Pick<Criterion, 'id' | 'title' | 'description' | 'weight' | 'scaleMin' | 'scaleMax' | 'levels'>[];
	scores: Record<string, number>;
	nav: { prev: string | null; next: string | null; nextTodo: string | null; position: number; total: number };
}

export interface MediaFile {
	id: string;
	key: string;
	name: string;
	mime: string | null;
}

const ABOUT_KEYS = ['fio', 'regionCode', 'municipality', 'organization', 'position', 'mentoringYears'] as const;
const PRACTICE_KEYS = ['title', 'problem', 'actions', 'team', 'since', 'results'] as const;

function pick(obj: unknown, keys: readonly string[]): Record<string, string> {
	const o = (obj ?? {}) as Record<string, unknown>;
	const out: Record<string, string> = {};
	for (const k of keys) if (o[k] != null && o[k] !== '') out[k] = String(o[k]);
	return out;
}

/** Everything the scoring screen shows; contacts of the applicant are not part of it. */
export function scoringView(db: DbOrTx, jurorId: string, assignmentId: string, now = new Date()): ScoringView {
	const { a, round, app, contest } = loadOwnAssignment(db, jurorId, assignmentId);
	const nom = db.select().from(nominations).where(eq(nominations.id, app.nominationId)).get()!;
	const crit = criteriaFor(db, contest.id, app.nominationId);
	const mine = db.select({ criterionId: scores.criterionId, value: scores.value }).from(scores).where(eq(scores.assignmentId, a.id)).all();
	const files = db
		.select()
		.from(assets)
		.where(and(eq(assets.applicationId, app.id), inArray(assets.kind, ['video', 'letter', 'poster']), inArray(assets.status, ['uploaded', 'processing', 'ready'])))
		.orderBy(asc(assets.createdAt))
		.all();
	const latest = (kind: string) => [...files].reverse().find((f) => f.kind === kind) ?? null;
	const video = latest('video');
	const poster = (video && files.find((f) => f.kind === 'poster' && f.parentId === video.id)) || latest('poster');
	const letter = latest('letter');
	const asFile = (f: typeof video): MediaFile | null => (f ? { id: f.id, key: f.key, name: f.originalName, mime: f.mime ?? null } : null);
	// the queue order: same round, own active assignments, by application number
	const order = db
		.select({ id: assignments.id, status: assignments.status })
		.from(assignments)
		.innerJoin(applications, eq(applications.id, assignments.applicationId))
		.where(and(eq(assignments.roundId, round.id), eq(assignments.jurorId, jurorId), inArray(assignments.status, ['assigned', 'draft', 'submitted'])))
		.orderBy(asc(applications.seq), asc(assignments.id))
		.all();
	const i = order.findIndex((o) => o.id === a.id);
	const after = [...order.slice(i + 1), ...order.slice(0, Math.max(0, i))];
	return {
		assignment: { id: a.id, status: a.status, version: a.version, comment: a.comment, feedback: a.feedback, startedAt: a.startedAt, submittedAt: a.submittedAt, updatedAt: a.updatedAt },
		round: { id: round.id, number: round.number, title: round.title, status: round.status, deadlineAt: round.deadlineAt, open: scoringOpen(round, now), closedMessage: closedMessage(round, now) },
		contestTitle: contest.title,
		application: {
			number: app.number,
			nominationTitle: nom.title,
			track: nom.track,
			about: pick(app.about, ABOUT_KEYS),
			practice: pick(app.practice, PRACTICE_KEYS),
			letterText: app.letterText
		},
		files: { video: asFile(video), poster: asFile(poster), letter: asFile(letter) },
		criteria: crit.map((c) => ({ id: c.id, title: c.title, description: c.description, weight: c.weight, scaleMin: c.scaleMin, scaleMax: c.scaleMax, levels: c.levels })),
		scores: Object.fromEntries(mine.map((s) => [s.criterionId, s.value])),
		nav: {
			prev: i > 0 ? order[i - 1].id : null,
			next: i >= 0 && i < order.length - 1 ? order[i + 1].id : null,
			nextTodo: after.find((o) => o.status !== 'submitted')?.id ?? null,
			position: i + 1,
			total: order.length
		}
	};
}

export interface SaveInput {
	/** criterionId → value; '' or null clears a score of a draft */
	values: Record<string, string | number | null>;
	/** The note for the organizers (never shown to the applicant). */
	comment: string;
	/** Feedback for the applicant, shown anonymously once released; undefined keeps the stored one. */
	feedback?: string;
	version: number;
	intent: 'draft' | 'submit';
}

export interface SaveResult {
	status: AssignmentRow['status'];
	version: number;
	scores: Record<string, number>;
	comment: string;
	feedback: string;
	updatedAt: Date;
	changed: boolean;
}

/** What is stored now: sent back with a version conflict so that the juror can compare. */
function storedState(db: DbOrTx, a: AssignmentRow) {
	const fresh = db.select().from(assignments).where(eq(assignments.id, a.id)).get()!;
	const vals = db.select({ criterionId: scores.criterionId, value: scores.value }).from(scores).where(eq(scores.assignmentId, a.id)).all();
	return { version: fresh.version, status: fresh.status, comment: fresh.comment, feedback: fresh.feedback, updatedAt: fresh.updatedAt.getTime(), scores: Object.fromEntries(vals.map((v) => [v.criterionId, v.value])) };
}

/**
 * Saves the juror's scores of one assignment as a draft, or submits them. Refusals: 403 someone
 * else's, 410 removed/recused, 409 round closed / deadline passed / entry withdrawn, 400 a value
 * off the scale or not an integer, a criterion that does not apply (another contest, another
 * nomination), a submission with criteria left unscored, 409 a stale version. Nothing is written
 * on a refusal.
 */
export function saveScores(db: DbOrTx, juror: Actor, assignmentId: string, input: SaveInput, now = new Date()): SaveResult {
	const jurorId = juror.id;
	return db.transaction((d) => {
		const { a, round, app, contest } = loadOwnAssignment(d, jurorId, assignmentId);
		const closed = closedMessage(round, now);
		if (closed) throw new DomainError(409, 'round_closed', closed);
		if (app.status === 'withdrawn' || app.status === 'draft') throw new DomainError(409, 'withdrawn', 'Заявка отозвана заявителем: оценки не принимаются');
		if (typeof input.comment !== 'string' || input.comment.length > COMMENT_MAX) throw new DomainError(400, 'bad_comment', `Комментарий: не длиннее ${COMMENT_MAX} символов`, { errors: { comment: `Комментарий: не длиннее ${COMMENT_MAX} символов` } });
		if (input.feedback !== undefined && (typeof input.feedback !== 'string' || input.feedback.length > FEEDBACK_MAX))
			throw new DomainError(400, 'bad_feedback', `Отзыв для заявителя: не длиннее ${FEEDBACK_MAX} символов`, { errors: { feedback: `Отзыв для заявителя: не длиннее ${FEEDBACK_MAX} символов` } });
		const crit = criteriaFor(d, contest.id, app.nominationId);
		const byId = new Map(crit.map((c) => [c.id, c]));
		const errors: Record<string, string> = {};
		const next = new Map<string, number | null>();
		for (const [cid, raw] of Object.entries(input.values)) {
			const c = byId.get(cid);
			if (!c) {
				const other = d.select({ contestId: criteria.contestId }).from(criteria).where(eq(criteria.id, cid)).get();
				throw new DomainError(
					400,
					'unknown_criterion',
					other && other.contestId !== contest.id ? 'Критерий относится к другому конкурсу: оценка по нему не принимается' : other ? 'Этот критерий не применяется к номинации заявки' : 'Неизвестный критерий: обновите страницу'
				);
			}
			if (raw === null || raw === '') {
				next.set(cid, null);
				continue;
			}
			const s = String(raw).trim();
			const v = /^-?\d{1,4}$/.test(s) ? Number(s) : NaN;
			if (!Number.isInteger(v)) errors[cid] = `«${c.title}»: оценка — целое число от ${c.scaleMin} до ${c.scaleMax}`;
			else if (v < c.scaleMin || v > c.scaleMax) errors[cid] = `«${c.title}»: оценка ${v} вне шкалы ${c.scaleMin}–${c.scaleMax}`;
			else next.set(cid, v);
		}
		if (Object.keys(errors).length) throw new DomainError(400, 'out_of_scale', Object.values(errors)[0], { errors });
		const before = new Map(d.select({ criterionId: scores.criterionId, value: scores.value }).from(scores).where(eq(scores.assignmentId, a.id)).all().map((s) => [s.criterionId, s.value]));
		const after = new Map(before);
		for (const [cid, v] of next) {
			if (v === null) after.delete(cid);
			else after.set(cid, v);
		}
		// scores of criteria that no longer apply are not counted and not required
		const finalStatus = input.intent === 'submit' || a.status === 'submitted' ? 'submitted' : 'draft';
		if (finalStatus === 'submitted') {
			const missing = crit.filter((c) => !after.has(c.id));
			if (missing.length) {
				const errs = Object.fromEntries(missing.map((c) => [c.id, 'Выставьте оценку']));
				throw new DomainError(
					400,
					'incomplete',
					a.status === 'submitted'
						? `Оценка уже отправлена: у отправленной оценки должны быть заполнены все критерии (не заполнено: ${missing.map((c) => `«${c.title}»`).join(', ')})`
						: `Чтобы отправить оценку, заполните все критерии: ${missing.map((c) => `«${c.title}»`).join(', ')}`,
					{ errors: errs }
				);
			}
		}
		const comment = input.comment.trim();
		const feedback = input.feedback === undefined ? a.feedback : input.feedback.trim();
		const updated = d
			.update(assignments)
			.set({
				status: finalStatus,
				comment,
				feedback,
				version: sql`${assignments.version} + 1`,
				startedAt: a.startedAt ?? now,
				submittedAt: input.intent === 'submit' ? now : a.submittedAt,
				updatedAt: now
			})
			.where(and(eq(assignments.id, a.id), eq(assignments.version, input.version)))
			.returning()
			.get();
		if (!updated)
			throw new DomainError(
				409,
				'version_conflict',
				'Оценки этой заявки уже сохранены в другой вкладке или на другом устройстве. Ваши значения не потеряны — они остались на экране; сравните их с сохранёнными и сохраните нужный вариант ещё раз.',
				{ stored: storedState(d, a) }
			);
		for (const [cid, v] of next) {
			if (v === null) d.delete(scores).where(and(eq(scores.assignmentId, a.id), eq(scores.criterionId, cid))).run();
			else if (before.get(cid) !== v)
				d.insert(scores)
					.values({ assignmentId: a.id, criterionId: cid, value: v, createdAt: now, updatedAt: now })
					.onConflictDoUpdate({ target: [scores.assignmentId, scores.criterionId], set: { value: v, updatedAt: now } })
					.run();
		}
		const changedScores = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k));
		const changed = changedScores.length > 0 || comment !== a.comment || feedback !== a.feedback || finalStatus !== a.status || input.intent === 'submit';
		if (changed)
			audit(
				d,
				{
					...by(juror),
					action: input.intent === 'submit' ? 'score.submit' : 'score.save',
					entity: 'assignment',
					entityId: a.id,
					before: { status: a.status, version: a.version, scores: Object.fromEntries(changedScores.map((k) => [k, before.get(k) ?? null])), comment: comment !== a.comment ? a.comment : undefined, feedback: feedback !== a.feedback ? a.feedback : undefined },
					after: { status: finalStatus, version: updated.version, scores: Object.fromEntries(changedScores.map((k) => [k, after.get(k) ?? null])), comment: comment !== a.comment ? comment : undefined, feedback: feedback !== a.feedback ? feedback : undefined }
				},
				now
			);
		return { status: updated.status, version: updated.version, scores: Object.fromEntries(after), comment, feedback, updatedAt: updated.updatedAt, changed };
	});
}

/**
 * The juror withdraws from an entry (conflict of interest): a `recused` conflict, the assignment
 * becomes `recused`, and the entry is re-routed at once (only that entry). A submitted assessment
 * cannot be recused by the juror (the organizers can remove it).
 */
export function recuse(db: DbOrTx, juror: Actor, assignmentId: string, reason: string, now = new Date()): { replaced: number } {
	const jurorId = juror.id;
	return db.transaction((d) => {
		const { a, round } = loadOwnAssignment(d, jurorId, assignmentId);
		const closed = closedMessage(round, now);
		if (closed) throw new DomainError(409, 'round_closed', `${closed}: самоотвод невозможен`);
		if (a.status === 'submitted') throw new DomainError(409, 'submitted', 'Оценка уже отправлена: чтобы её отозвать, обратитесь к организаторам');
		const text = reason.trim();
		if (text.length < 5) throw new DomainError(400, 'no_reason', 'Опишите причину самоотвода (не короче 5 символов)');
		upsertConflict(d, jurorId, a.applicationId, 'recused', text.slice(0, 1000), juror, now);
		d.update(assignments).set({ status: 'recused', version: sql`${assignments.version} + 1`, updatedAt: now }).where(eq(assignments.id, a.id)).run();
		audit(d, { ...by(juror), action: 'assignment.recuse', entity: 'assignment', entityId: a.id, before: { status: a.status }, after: { status: 'recused', reason: text.slice(0, 1000) } }, now);
		const r = rerouteEntry(d, null, a.roundId, a.applicationId, now);
		return { replaced: r?.added ?? 0 };
	});
}
