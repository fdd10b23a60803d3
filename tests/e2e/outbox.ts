import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';

/** Reads the newest .eml in DATA_DIR/outbox sent to the address with a matching subject. */
export async function lastMail(to: string, subject: RegExp, timeoutMs = 10_000) {
	const dir = path.join(process.env.E2E_DATA_DIR!, 'outbox');
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const files = fs.existsSync(dir) ? fs.readdirSync(dir).sort().reverse() : [];
		for (const f of files) {
			const m = await simpleParser(fs.readFileSync(path.join(dir, f)));
			const addrs = (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address));
			if (addrs.includes(to) && subject.test(m.subject ?? '')) return { subject: m.subject ?? '', text: m.text ?? '' };
		}
		if (Date.now() > deadline) throw new Error(`Нет письма для ${to}`);
		await new Promise((r) => setTimeout(r, 250));
	}
}

export function linkIn(text: string, part: string): string {
	const m = text.match(new RegExp(`https?://\\S*${part}\\S*`));
	if (!m) throw new Error(`нет ссылки ${part}`);
	return m[0];
}
