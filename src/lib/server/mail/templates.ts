import type { Mail } from './mailer';
import { plural } from '../../format';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function layout(title: string, paragraphs: string[], action?: { href: string; label: string }): string {
	return `<!doctype html><html lang="ru"><body style="font-family:Arial,sans-serif;color:#1b1f24;max-width:560px;margin:auto">
<h2 style="color:#1d4e89">${esc(title)}</h2>
${paragraphs.map((p) => `<p>${esc(p)}</p>`).join('\n')}
${action ? `<p><a href="${esc(action.href)}" style="display:inline-block;background:#1d4e89;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">${esc(action.label)}</a></p><p style="font-size:12px;color:#555">Если кнопка не работает, откройте ссылку: ${esc(action.href)}</p>` : ''}
<p style="font-size:12px;color:#555">Конкурс «Наставничество». Это письмо отправлено автоматически, отвечать на него не нужно.</p>
</body></html>`;
}

export function verifyMail(to: string, fio: string, link: string): Mail {
	const p = [`Здравствуйте, ${fio}!`, 'Вы зарегистрировались на портале конкурса «Наставничество». Подтвердите адрес электронной почты — ссылка действует 48 часов.'];
	return { to, subject: 'Подтвердите адрес электронной почты', text: `${p.join('\n\n')}\n\n${link}\n`, html: layout('Подтверждение почты', p, { href: link, label: 'Подтвердить почту' }) };
}

export function resetMail(to: string, fio: string, link: string): Mail {
	const p = [`Здравствуйте, ${fio}!`, 'Кто-то (надеемся, вы) запросил восстановление пароля. Ссылка действует 1 час и работает один раз. Если вы не запрашивали восстановление, просто проигнорируйте письмо.'];
	return { to, subject: 'Восстановление пароля', text: `${p.join('\n\n')}\n\n${link}\n`, html: layout('Восстановление пароля', p, { href: link, label: 'Задать новый пароль' }) };
}

export function inviteMail(to: string, fio: string, contest: string, link: string): Mail {
	const p = [`Здравствуйте, ${fio}!`, `Организаторы приглашают вас в жюри конкурса «${contest}». Задайте пароль по ссылке — она действует 14 дней — и откройте кабинет эксперта.`];
	return { to, subject: `Приглашение в жюри конкурса «${contest}»`, text: `${p.join('\n\n')}\n\n${link}\n`, html: layout('Приглашение в жюри', p, { href: link, label: 'Принять приглашение' }) };
}

export function passwordChangedMail(to: string, fio: string): Mail {
	const p = [`Здравствуйте, ${fio}!`, 'Пароль вашей учётной записи изменён, все остальные сеансы завершены. Если это были не вы, восстановите пароль и сообщите организаторам.'];
	return { to, subject: 'Пароль изменён', text: p.join('\n\n') + '\n', html: layout('Пароль изменён', p) };
}

export function submittedMail(
	to: string,
	fio: string,
	info: { number: string; contest: string; nomination: string; title: string; submittedAt: string; link: string; edited: boolean }
): Mail {
	const p = [
		`Здравствуйте, ${fio}!`,
		info.edited
			? `Изменения в заявке № ${info.number} на конкурс «${info.contest}» сохранены.`
			: `Ваша заявка на конкурс «${info.contest}» принята. Номер заявки: ${info.number}.`,
		`Номинация: ${info.nomination}. Практика: «${info.title}». Время отправки: ${info.submittedAt}.`,
		'До окончания приёма заявку можно изменить или отозвать в личном кабинете.'
	];
	return {
		to,
		subject: info.edited ? `Заявка ${info.number}: изменения сохранены` : `Заявка ${info.number} принята`,
		text: `${p.join('\n\n')}\n\n${info.link}\n`,
		html: layout(info.edited ? 'Изменения сохранены' : 'Заявка принята', p, { href: info.link, label: 'Открыть заявку' })
	};
}

const ROLE_RU = { applicant: 'заявителя', jury: 'эксперта жюри', organizer: 'организатора' } as const;

/** An account created by an organizer or by `npm run user:create`: set a password by the link. */
export function accountInviteMail(to: string, fio: string, role: keyof typeof ROLE_RU, link: string): Mail {
	const p = [`Здравствуйте, ${fio}!`, `Для вас создана учётная запись ${ROLE_RU[role]} на портале конкурса «Наставничество». Задайте пароль по ссылке — она действует 14 дней.`];
	return { to, subject: 'Учётная запись на портале конкурса «Наставничество»', text: `${p.join('\n\n')}\n\n${link}\n`, html: layout('Учётная запись создана', p, { href: link, label: 'Задать пароль' }) };
}

export function videoFailedMail(to: string, fio: string, reason: string, link: string): Mail {
	const p = [
		`Здравствуйте, ${fio}!`,
		'Мы не смогли обработать видеовизитку, которую вы загрузили в заявку на конкурс «Наставничество».',
		`Причина: ${reason}`,
		'Откройте заявку, загрузите видео ещё раз и дождитесь отметки «готово». Заявку с необработанным видео отправить нельзя.'
	];
	return { to, subject: 'Видеовизитку не удалось обработать', text: `${p.join('\n\n')}\n\n${link}\n`, html: layout('Видео не обработано', p, { href: link, label: 'Открыть заявку' }) };
}

/** Someone registered with an address that already has an account: its owner is told, the visitor is not. */
export function addressTakenMail(to: string, fio: string, links: { login: string; reset: string }): Mail {
	const p = [
		`Здравствуйте, ${fio}!`,
		'Кто-то (возможно, вы) только что пытался зарегистрироваться на портале конкурса «Наставничество» с этим адресом. Учётная запись с ним уже есть, новая не создана.',
		`Если это были вы — войдите: ${links.login}. Забыли пароль — восстановите его: ${links.reset}.`,
		'Если это были не вы, ничего делать не нужно: ваша учётная запись не изменилась.'
	];
	return { to, subject: 'Попытка регистрации с вашим адресом', text: `${p.join('\n\n')}\n`, html: layout('Учётная запись уже есть', p, { href: links.login, label: 'Войти' }) };
}

/** A juror got more entries to score in a running round (extra reviews where the cut is unsure). */
export function extraReviewsMail(to: string, fio: string, info: { contest: string; round: string; count: number; deadline: Date | null; link: string }): Mail {
	const n = info.count;
	const works = plural(n, ['работу', 'работы', 'работ']);
	const due = info.deadline ? ` Срок оценки — ${info.deadline.toLocaleString('ru-RU', { timeZone: 'Europe/Moscow', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' })} (МСК).` : '';
	const p = [
		`Здравствуйте, ${fio}!`,
		`Организаторы конкурса «${info.contest}» просят вас дополнительно оценить ${n} ${works} тура «${info.round}»: мнения экспертов по ним разошлись у границы призёров, и ваша оценка поможет решить честно.${due}`,
		'Работы уже в вашем кабинете эксперта.'
	];
	return { to, subject: `Дополнительные работы на оценку: ${n}`, text: `${p.join('\n\n')}\n\n${info.link}\n`, html: layout('Дополнительные работы на оценку', p, { href: info.link, label: 'Открыть кабинет эксперта' }) };
}
