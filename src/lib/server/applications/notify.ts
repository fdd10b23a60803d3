import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { contests, nominations, users, type Application } from '../db/schema';
import { enqueueMail } from '../jobs/mail';
import { submittedMail } from '../mail/templates';
import { config } from '../config';
import { fmtDateTime } from '../../format';

/**
 * The confirmation mail with the number and a summary, through the durable mail queue. Called by
 * submitApplication inside the transaction that submits (so a rolled-back submit mails nothing),
 * with a dedupe key: one «Заявка принята» per application, one «изменения сохранены» per version.
 */
export function enqueueSubmittedMail(tx: DbOrTx, app: Application, opts: { edited: boolean }, now = new Date()) {
	const user = tx.select().from(users).where(eq(users.id, app.applicantId)).get();
	const contest = tx.select().from(contests).where(eq(contests.id, app.contestId)).get();
	const nom = tx.select().from(nominations).where(eq(nominations.id, app.nominationId)).get();
	if (!user || !contest || !nom || !app.number) return;
	enqueueMail(
		tx,
		submittedMail(user.email, user.fio, {
			number: app.number,
			contest: contest.title,
			nomination: nom.title,
			title: String((app.practice as Record<string, unknown>).title ?? ''),
			submittedAt: fmtDateTime(app.updatedAt),
			link: `${config().origin}/cabinet/applications/${app.id}`,
			edited: opts.edited
		}),
		{ dedupeKey: opts.edited ? `mail:application.resubmitted:${app.id}:${app.version}` : `mail:application.submitted:${app.id}`, now }
	);
}
