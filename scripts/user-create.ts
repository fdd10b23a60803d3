// Bootstraps an account on a production install:
//   npm run user:create -- --email org@example.ru --role organizer [--fio "…"] [--password "…"]
// Without --password a password-setting link is printed (and mailed).
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { password as passwordRule } from '../src/lib/schemas/auth';
import { ROLES } from '../src/lib/server/db/roles';

const { values } = parseArgs({
	options: { email: { type: 'string' }, role: { type: 'string', default: 'organizer' }, fio: { type: 'string' }, password: { type: 'string' } }
});
const args = z
	.object({
		email: z.email({ error: 'укажите --email' }),
		role: z.enum(ROLES, { error: `--role: одна из ${ROLES.join(', ')}` }),
		fio: z.string().min(3).default('Организатор конкурса'),
		password: passwordRule.optional()
	})
	.safeParse(values);
if (!args.success) {
	for (const i of args.error.issues) console.error(`Ошибка: ${i.path.join('.') || 'аргументы'}: ${i.message}`);
	process.exit(2);
}
// The database and the mail queue are loaded only once the arguments are good: loading
// drizzle-orm costs seconds (Node re-reads its 180 KB package.json for each of its modules), and
// a refused command need not pay it.
const { config } = await import('../src/lib/server/config');
const { db } = await import('../src/lib/server/db/client');
const { runMigrations } = await import('../src/lib/server/db/migrate');
const { createUser, issueEmailToken, INVITE_TTL_MS, AccountError } = await import('../src/lib/server/auth/accounts');
const { enqueueMail, mailHandler } = await import('../src/lib/server/jobs/mail');
const { runJobNow } = await import('../src/lib/server/jobs/worker');
const { accountInviteMail } = await import('../src/lib/server/mail/templates');
const d = db();
runMigrations(d);
try {
	const user = await createUser(d, { email: args.data.email, fio: args.data.fio, role: args.data.role, password: args.data.password, verified: !!args.data.password });
	console.log(`Создан пользователь ${user.email} (${user.role}).`);
	if (!args.data.password) {
		const token = issueEmailToken(d, user.id, 'invite', INVITE_TTL_MS);
		const link = `${config().origin}/invite/${token}`;
		// Through the queue like every mail, and delivered right here (a running portal's worker
		// would also pick it up; the claim is atomic, so it is sent once).
		const job = enqueueMail(d, accountInviteMail(user.email, user.fio, user.role, link));
		const sent = await runJobNow(d, job.id, [mailHandler]);
		console.log(`Ссылка для установки пароля (действует 14 дней): ${link}`);
		if (sent?.status !== 'done') console.log(`Письмо пока не отправлено (${sent?.lastError ?? 'в очереди'}); портал повторит отправку.`);
	}
} catch (e) {
	if (e instanceof AccountError) {
		console.error(`Ошибка: ${e.message}`);
		process.exit(1);
	}
	throw e;
}
