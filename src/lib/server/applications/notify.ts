import { eq } from 'drizzle-orm';
import type { DB } from '../db/client';
import { contests, nominations, users, type Application } from '../db/schema';
import { enqueueMail } from '../jobs/mail';
import { submittedMail } from '../mail/templates';
import { config } from '../config';
import { fmtDateTime } from '../../format';
import { logFor } from '../ops/log';

/** The confirmation mail with the number and a summary, through the durable mail queue. */
export async function notifySubmitted(db: DB, actor: { id: string }, app: Application, opts: { edited: boolean }) {
	const user = db.select().from(users).where(eq(users.id, actor.id)).get();
	const contest = db.select().from(contests).where(eq(contests.id, app.contestId)).get();
	const nom = db.select().from(nominations).where(eq(nominations.id, app.nominationId)).get();
	if (!user || !contest || !nom || !app.number) return;
	try {
		enqueueMail(
			db,
			submittedMail(user.email, user.fio, {
				number: app.number,
				contest: contest.title,
				nomination: nom.title,
				title: String((app.practice as Record<string, unknown>).title ?? ''),
				submittedAt: fmtDateTime(app.updatedAt),
				link: `${config().origin}/cabinet/applications/${app.id}`,
				edited: opts.edited
			})
		);
	} catch (e) {
		logFor('mail').error({ err: e }, 'подтверждение заявки не поставлено в очередь');
	}
}
