/**
 * Registration never tells a visitor that an address is registered: a taken address gets the
 * same answer as a free one («если адрес свободен, мы отправили письмо…»), and the owner of the
 * account gets a mail instead — at most a few per window, so the form cannot be used to flood them.
 */
import type { DbOrTx } from '../db/client';
import { config } from '../config';
import { enqueueMail } from '../jobs/mail';
import { addressTakenMail } from '../mail/templates';
import { findUserByEmail } from './accounts';
import { authLimiters } from './limits';

export function notifyAddressTaken(db: DbOrTx, email: string): void {
	const user = findUserByEmail(db, email);
	if (!user || user.blockedAt) return;
	if (!authLimiters().account.hit(`register-taken:${user.email}`).ok) return;
	const origin = config().origin;
	enqueueMail(db, addressTakenMail(user.email, user.fio, { login: `${origin}/login`, reset: `${origin}/reset` }));
}
