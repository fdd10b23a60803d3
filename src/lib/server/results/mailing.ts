/**
 * Bulk decision mails with per-recipient delivery status (table `mail_deliveries`), delivered by
 * the durable job queue like every other mail of the portal.
 *
 * A mailing is a campaign `decision:<contestId>`: one row per application (idempotent — queuing
 * again adds only applications that have no row yet, so nobody gets the same letter twice). The
 * letter announces the status fixed in `kind` when queued. `queueDecisionMails` writes the rows
 * and enqueues one delivery job (`mail.decisions`) in the same transaction; the job's handler
 * (`decisionMailHandler`) sends them in batches through `deliverPending`, recording each
 * recipient's outcome, and fails itself while some still fail so the queue retries with backoff.
 * The console's «отправить сейчас» (`requestDelivery`) only brings that job forward: nothing is
 * sent inside a request.
 */
import { enqueue, type JobHandler } from '../jobs/queue';
import { sendMail } from '../mail/mailer';
import { config } from '../config';
import { and, eq, inArray, lt, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { withApplicationContext } from '../db/entries';
import { applications, contests, mailDeliveries, nominations, users } from '../db/schema';
import { newId } from '../ids';
import { audit } from '../audit';
import { DomainError, notFound } from '../errors';
import { contestSettings } from '../contests/settings';
import type { Mail } from '../mail/mailer';
import { by, type Actor } from '../actor';

export const MAX_ATTEMPTS = 5;
export const BATCH_LIMIT = 200;
export type DecisionKind = 'winner' | 'not_selected' | 'finalist';
export const DECISION_KINDS: DecisionKind[] = ['winner', 'not_selected', 'finalist'];

export const campaignOf = (contestId: string) => `decision:${contestId}`;

export interface Recipient {
	applicationId: string;
	userId: string;
	email: string;
	fio: string;
	number: string;
	status: DecisionKind;
	nomination: string;
}

/** Applications of the contest in the given decision statuses, with their applicants. */
export function decisionRecipients(db: DbOrTx, contestId: string, kinds: DecisionKind[] = DECISION_KINDS): Recipient[] {
	if (!kinds.length) return [];
	const q = db
		.select({
			applicationId: applications.id,
			userId: users.id,
			email: users.email,
			fio: users.fio,
			number: applications.number,
			status: applications.status,
			nomination: nominations.title,
			blockedAt: users.blockedAt
		})
		.from(applications)
		.$dynamic();
	return withApplicationContext(q)
		.where(and(eq(applications.contestId, contestId), inArray(applications.status, kinds)))
		.orderBy(applications.seq)
		.all()
		.filter((r) => !r.blockedAt)
		.map((r) => ({ applicationId: r.applicationId, userId: r.userId, email: r.email, fio: r.fio, number: r.number ?? '', status: r.status as DecisionKind, nomination: r.nomination }));
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The letter for one recipient (plain text + simple HTML, Russian). */
export function composeDecisionMail(
	r: Pick<Recipient, 'email' | 'fio' | 'number' | 'nomination'> & { kind: DecisionKind },
	contest: { title: string },
	link: string,
	feedbackReleased: boolean
): Mail {
	const head =
		r.kind === 'winner'
			? `Поздравляем! Ваша заявка № ${r.number} в номинации «${r.nomination}» стала победителем конкурса «${contest.title}».`
			: r.kind === 'finalist'
				? `Ваша заявка № ${r.number} в номинации «${r.nomination}» вышла в финал конкурса «${contest.title}».`
				: `Благодарим за участие в конкурсе «${contest.title}». По итогам экспертизы заявка № ${r.number} в номинации «${r.nomination}» не вошла в число победителей.`;
	const p = [
		`Здравствуйте, ${r.fio}!`,
		head,
		feedbackReleased ? 'В личном кабинете опубликованы средние оценки экспертов по критериям и отзывы, которые эксперты написали для вас (без имён).' : 'Статус заявки виден в личном кабинете.'
	];
	const subject = r.kind === 'winner' ? `Заявка ${r.number}: вы победитель` : r.kind === 'finalist' ? `Заявка ${r.number}: финал` : `Заявка ${r.number}: итоги конкурса`;
	const html = `<!doctype html><html lang="ru"><body style="font-family:Arial,sans-serif;color:#1b1f24;max-width:560px;margin:auto">
<h2 style="color:#1d4e89">${esc(subject)}</h2>
${p.map((x) => `<p>${esc(x)}</p>`).join('\n')}
<p><a href="${esc(link)}" style="display:inline-block;background:#1d4e89;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">Открыть заявку</a></p>
<p style="font-size:12px;color:#555">Конкурс «Наставничество». Это письмо отправлено автоматически, отвечать на него не нужно.</p>
</body></html>`;
	return { to: r.email, subject, text: `${p.join('\n\n')}\n\n${link}\n`, html };
}

/** Queues the decision letters of a contest (idempotent per application). Audited. */
export function queueDecisionMails(db: DbOrTx, actor: Actor, contestId: string, kinds: DecisionKind[], now = new Date()): { queued: number; already: number } {
	return db.transaction((tx) => {
		if (!tx.select({ id: contests.id }).from(contests).where(eq(contests.id, contestId)).get()) throw notFound('Конкурс не найден');
		const recipients = decisionRecipients(tx, contestId, kinds);
		if (!recipients.length) throw new DomainError(409, 'no_recipients', 'Нет заявок с выбранными решениями — писать некому');
		const campaign = campaignOf(contestId);
		const have = new Set(
			tx
				.select({ applicationId: mailDeliveries.applicationId })
				.from(mailDeliveries)
				.where(eq(mailDeliveries.campaign, campaign))
				.all()
				.map((r) => r.applicationId)
		);
		const fresh = recipients.filter((r) => !have.has(r.applicationId));
		for (let i = 0; i < fresh.length; i += 500)
			tx.insert(mailDeliveries)
				.values(
					fresh.slice(i, i + 500).map((r) => ({
						id: newId(),
						campaign,
						contestId,
						applicationId: r.applicationId,
						userId: r.userId,
						email: r.email,
						kind: r.status,
						status: 'pending' as const,
						createdAt: now,
						updatedAt: now
					}))
				)
				.run();
		audit(tx, { ...by(actor), action: 'mail.queue', entity: 'contest', entityId: contestId, after: { campaign, kinds, queued: fresh.length, already: recipients.length - fresh.length } }, now);
		// The durable queue delivers them (in the same transaction: no letters without a job).
		enqueueDecisionDelivery(tx, contestId, now);
		return { queued: fresh.length, already: recipients.length - fresh.length };
	});
}

export interface DeliverOptions {
	send: (m: Mail) => Promise<{ id: string }>;
	/** Absolute link base (ORIGIN) for the letters. */
	origin: string;
	limit?: number;
	now?: () => Date;
}

/**
 * Sends pending letters and retries failed ones (attempts < MAX_ATTEMPTS), at most `limit`,
 * recording each outcome. Returns the counts of this call.
 */
export async function deliverPending(db: DbOrTx, actor: Actor | null, contestId: string, opts: DeliverOptions): Promise<{ sent: number; failed: number; left: number }> {
	const campaign = campaignOf(contestId);
	const contest = db.select().from(contests).where(eq(contests.id, contestId)).get();
	if (!contest) throw notFound('Конкурс не найден');
	const feedback = contestSettings(contest.settings).releaseFeedback;
	const now = opts.now ?? (() => new Date());
	const due = db
		.select({ d: mailDeliveries, fio: users.fio, number: applications.number, nomination: nominations.title })
		.from(mailDeliveries)
		.innerJoin(applications, eq(applications.id, mailDeliveries.applicationId))
		.innerJoin(nominations, eq(nominations.id, applications.nominationId))
		.innerJoin(users, eq(users.id, applications.applicantId))
		.where(and(eq(mailDeliveries.campaign, campaign), or(eq(mailDeliveries.status, 'pending'), and(eq(mailDeliveries.status, 'failed'), lt(mailDeliveries.attempts, MAX_ATTEMPTS)))))
		.orderBy(mailDeliveries.createdAt, mailDeliveries.id)
		.limit(opts.limit ?? BATCH_LIMIT)
		.all();
	let sent = 0;
	let failed = 0;
	for (const row of due) {
		const d = row.d;
		const mail = composeDecisionMail(
			{ email: d.email, fio: row.fio, number: row.number ?? '', nomination: row.nomination, kind: d.kind as DecisionKind },
			contest,
			`${opts.origin.replace(/\/$/, '')}/cabinet/applications/${d.applicationId}`,
			feedback
		);
		try {
			const info = await opts.send(mail);
			db.update(mailDeliveries)
				.set({ status: 'sent', attempts: d.attempts + 1, messageId: info.id, lastError: null, sentAt: now(), updatedAt: now() })
				.where(eq(mailDeliveries.id, d.id))
				.run();
			sent++;
		} catch (e) {
			db.update(mailDeliveries)
				.set({ status: 'failed', attempts: d.attempts + 1, lastError: String((e as Error)?.message ?? e).slice(0, 500), updatedAt: now() })
				.where(eq(mailDeliveries.id, d.id))
				.run();
			failed++;
		}
	}
	if (due.length) audit(db, { ...by(actor), action: 'mail.deliver', entity: 'contest', entityId: contestId, after: { campaign, sent, failed } }, now());
	const left = mailingStatus(db, contestId).due;
	return { sent, failed, left };
}

export interface MailingStatus {
	total: number;
	pending: number;
	sent: number;
	failed: number;
	/** failed ones that will be retried + pending */
	due: number;
	/** failed with no attempts left */
	gaveUp: number;
	failures: { email: string; number: string | null; attempts: number; error: string | null }[];
}

export function mailingStatus(db: DbOrTx, contestId: string): MailingStatus {
	const campaign = campaignOf(contestId);
	const counts = db
		.select({ status: mailDeliveries.status, n: sql<number>`count(*)`, retry: sql<number>`sum(case when ${mailDeliveries.attempts} < ${MAX_ATTEMPTS} then 1 else 0 end)` })
		.from(mailDeliveries)
		.where(eq(mailDeliveries.campaign, campaign))
		.groupBy(mailDeliveries.status)
		.all();
	const get = (s: string) => counts.find((c) => c.status === s);
	const failures = db
		.select({ email: mailDeliveries.email, number: applications.number, attempts: mailDeliveries.attempts, error: mailDeliveries.lastError })
		.from(mailDeliveries)
		.innerJoin(applications, eq(applications.id, mailDeliveries.applicationId))
		.where(and(eq(mailDeliveries.campaign, campaign), eq(mailDeliveries.status, 'failed')))
		.limit(50)
		.all();
	const failed = get('failed')?.n ?? 0;
	const retry = get('failed')?.retry ?? 0;
	return {
		total: counts.reduce((s, c) => s + c.n, 0),
		pending: get('pending')?.n ?? 0,
		sent: get('sent')?.n ?? 0,
		failed,
		due: (get('pending')?.n ?? 0) + retry,
		gaveUp: failed - retry,
		failures
	};
}

export const DECISION_MAIL_KIND = 'mail.decisions';

/**
 * One delivery job per contest campaign at a time (dedupe); it sends what is pending. `hurry`
 * brings a job that waits out a retry backoff forward to now.
 */
export function enqueueDecisionDelivery(db: DbOrTx, contestId: string, now = new Date(), opts: { hurry?: boolean } = {}) {
	return enqueue(db, DECISION_MAIL_KIND, { contestId }, { dedupeKey: `${DECISION_MAIL_KIND}:${contestId}`, maxAttempts: MAX_ATTEMPTS + 3, hurry: opts.hurry, now });
}

/**
 * «Отправить сейчас / повторить неудачные» of the results console: the letters still due
 * (pending, or failed with attempts left) are handed to the queue's delivery job now — one is
 * enqueued, or the waiting one is brought forward. Audited; returns how many letters are due.
 */
export function requestDelivery(db: DbOrTx, actor: Actor | null, contestId: string, now = new Date()): { due: number; jobId: string | null } {
	return db.transaction((tx) => {
		if (!tx.select({ id: contests.id }).from(contests).where(eq(contests.id, contestId)).get()) throw notFound('Конкурс не найден');
		const due = mailingStatus(tx, contestId).due;
		if (!due) return { due: 0, jobId: null };
		const job = enqueueDecisionDelivery(tx, contestId, now, { hurry: true });
		audit(tx, { ...by(actor), action: 'mail.request', entity: 'contest', entityId: contestId, after: { campaign: campaignOf(contestId), due, job: job.id } }, now);
		return { due, jobId: job.id };
	});
}

/**
 * The queue's handler: sends the pending letters of the campaign batch by batch, recording each
 * recipient's outcome in `mail_deliveries`; while failed letters still have attempts left it
 * fails itself, so the queue retries them with its backoff.
 */
export const decisionMailHandler: JobHandler = {
	kind: DECISION_MAIL_KIND,
	lane: 'light',
	maxAttempts: MAX_ATTEMPTS + 3,
	backoffMs: 60_000,
	async run(payload, ctx) {
		const contestId = String(payload.contestId);
		let total = { sent: 0, failed: 0 };
		for (;;) {
			ctx.signal.throwIfAborted();
			const r = await deliverPending(ctx.db, null, contestId, { send: sendMail, origin: config().origin });
			total = { sent: total.sent + r.sent, failed: total.failed + r.failed };
			if (r.sent + r.failed === 0 || r.left === 0) break;
			if (r.failed && r.sent === 0) break;
		}
		const left = mailingStatus(ctx.db, contestId).due;
		if (left > 0) throw new Error(`Не доставлено писем: ${left}; повторим позже`);
		return total;
	}
};
