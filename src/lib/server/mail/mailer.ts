import nodemailer from 'nodemailer';
import fs from 'node:fs';
import path from 'node:path';
import { config } from '../config';
import { newId } from '../ids';
import { logFor } from '../ops/log';

export interface Mail {
	to: string;
	subject: string;
	text: string;
	html?: string;
}

type Transport = ReturnType<typeof nodemailer.createTransport>;
let transport: Transport | undefined;
let transportKey = '';

function getTransport(): Transport {
	const c = config();
	const key = c.SMTP_URL ?? 'outbox';
	if (!transport || key !== transportKey) {
		transport = c.SMTP_URL
			? nodemailer.createTransport(c.SMTP_URL)
			: nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
		transportKey = key;
	}
	return transport;
}

/**
 * Sends through SMTP_URL when set; otherwise writes the message as an .eml file to
 * DATA_DIR/outbox (a local install opens the file to follow its links).
 */
export async function sendMail(mail: Mail): Promise<{ id: string; file?: string }> {
	const c = config();
	const info = await getTransport().sendMail({ from: c.MAIL_FROM, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
	if (c.SMTP_URL) return { id: String(info.messageId) };
	const dir = path.join(c.dataDir, 'outbox');
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${newId().slice(0, 6)}.eml`);
	fs.writeFileSync(file, (info as unknown as { message: Buffer }).message);
	// The one-time links stay in the file: logs never carry them (nor the full address).
	logFor('mail').info({ to: mail.to, subject: mail.subject, file }, 'письмо записано в папку outbox (ссылки — в файле .eml)');
	return { id: String(info.messageId), file };
}
