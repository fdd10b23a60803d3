import type { RequestHandler } from './$types';
import { db } from '$lib/server/db/client';
import { contestScope } from '$lib/server/http/scope';
import { listNominations } from '$lib/server/contests/queries';

/** A sample jury list in the import format (UTF-8 with BOM, semicolons: opens in Excel as is). */
export const GET: RequestHandler = (event) => {
	const { contest } = contestScope(event);
	const noms = listNominations(db(), contest.id);
	const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
	const lines = [
		'ФИО;email;регион;организация;номинации;ёмкость',
		['Иванов Иван Иванович', 'ivanov@example.ru', '16', 'Казанский федеральный университет', noms.slice(0, 2).map((n) => n.title).join('; '), '40'].map(q).join(';'),
		['Петрова Анна Сергеевна', 'petrova@example.ru', 'Свердловская область', '', 'все', '25'].map(q).join(';')
	];
	return new Response('\uFEFF' + lines.join('\r\n') + '\r\n', {
		headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="jury-template.csv"` }
	});
};
