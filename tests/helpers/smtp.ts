import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface Caught {
	to: string[];
	subject: string;
	text: string;
	html: string;
}

/** A real SMTP server on loopback that keeps every message it receives. */
export async function startSmtpSink() {
	const messages: Caught[] = [];
	const waiters: (() => void)[] = [];
	const server = new SMTPServer({
		authOptional: true,
		disabledCommands: ['STARTTLS', 'AUTH'],
		logger: false,
		onData(stream, _session, cb) {
			simpleParser(stream)
				.then((m: ParsedMail) => {
					const to = (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
					messages.push({ to, subject: m.subject ?? '', text: m.text ?? '', html: typeof m.html === 'string' ? m.html : '' });
					waiters.splice(0).forEach((w) => w());
					cb();
				})
				.catch((e) => cb(e));
		}
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	const port = (server.server.address() as AddressInfo).port;
	return {
		url: `smtp://127.0.0.1:${port}`,
		messages,
		/** Waits for a message to the address whose subject matches. */
		async waitFor(to: string, subject: RegExp, timeoutMs = 10_000): Promise<Caught> {
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				const m = [...messages].reverse().find((x) => x.to.includes(to) && subject.test(x.subject));
				if (m) return m;
				if (Date.now() > deadline) throw new Error(`Нет письма для ${to} (${subject})`);
				await new Promise<void>((r) => {
					waiters.push(r);
					setTimeout(r, 200);
				});
			}
		},
		close: () => new Promise<void>((r) => server.close(() => r()))
	};
}

export function linkFrom(mail: Caught, pathPart: string): string {
	const m = mail.text.match(new RegExp(`https?://\\S*${pathPart}\\S*`));
	if (!m) throw new Error(`В письме нет ссылки ${pathPart}`);
	return m[0];
}
