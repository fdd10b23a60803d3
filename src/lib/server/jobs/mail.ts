/**
 * Mail through the queue: `enqueueMail(tx, mail)` inside the change that causes the mail (an
 * account created, a token issued), and the `mail.send` handler delivers it with retries. A mail
 * that cannot be delivered after its attempts is dead in the console with the SMTP error.
 * After delivery the text (with its one-time link) is dropped from the stored payload.
 */
import { z } from 'zod';
import { sendMail, type Mail } from '../mail/mailer';
import type { DbOrTx } from '../db/client';
import { enqueue, PermanentJobError, type JobHandler } from './queue';
import { mails } from '../ops/metrics';

export const MAIL_KIND = 'mail.send';

const mailSchema = z.object({
	to: z.string().min(3).max(320),
	subject: z.string().min(1).max(500),
	text: z.string().max(200_000),
	html: z.string().max(500_000).optional()
});

export function enqueueMail(db: DbOrTx, mail: Mail, opts: { dedupeKey?: string; runAt?: Date; now?: Date } = {}) {
	const m = mailSchema.parse(mail);
	return enqueue(db, MAIL_KIND, { ...m }, { dedupeKey: opts.dedupeKey, runAt: opts.runAt, now: opts.now });
}

function aborted(signal: AbortSignal): Promise<never> {
	return new Promise((_, reject) => {
		if (signal.aborted) reject(signal.reason);
		signal.addEventListener('abort', () => reject(signal.reason), { once: true });
	});
}

export const mailHandler: JobHandler = {
	kind: MAIL_KIND,
	lane: 'light',
	maxAttempts: 8,
	backoffMs: 10_000,
	maxBackoffMs: 30 * 60_000,
	timeoutMs: 90_000,
	async run(payload, ctx) {
		const r = mailSchema.safeParse(payload);
		if (!r.success) throw new PermanentJobError('Неверное содержимое письма в задаче: ' + r.error.issues.map((i) => i.path.join('.')).join(', '));
		let sent: Awaited<ReturnType<typeof sendMail>>;
		try {
			sent = await Promise.race([sendMail(r.data), aborted(ctx.signal)]);
		} catch (e) {
			mails.inc({ outcome: 'failed' });
			throw e;
		}
		mails.inc({ outcome: 'sent' });
		return { messageId: sent.id, ...(sent.file ? { file: sent.file.split('/').pop() } : {}) };
	},
	redactOnDone: (p) => ({ to: p.to, subject: p.subject, text: '(текст удалён после отправки)' }),
	describe: (p) => `${String(p.to ?? '')}: «${String(p.subject ?? '')}»`
};
