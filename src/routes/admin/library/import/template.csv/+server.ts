import type { RequestHandler } from './$types';
import Papa from 'papaparse';
import { guard } from '$lib/server/http/guards';
import { templateHeader } from '$lib/server/library/import';

/** The import template: the column keys and one example row. */
export const GET: RequestHandler = (event) => {
	guard(event);
	const header = templateHeader();
	const example: Record<string, string> = {
		title: 'Двор, который придумали жители',
		summary: 'Выпускники школы мэров вместе с жителями перепланировали дворы: проекты обсуждают на встречах, а наставники из администрации сопровождают их до сдачи.',
		problem: 'Жители не участвовали в выборе проектов благоустройства.',
		actions: 'Проектные встречи во дворах, наставник от администрации на каждый проект.',
		team: 'Управление благоустройства, 12 наставников',
		region: 'Тульская область',
		municipality: 'г. Тула',
		organization: 'Администрация г. Тулы',
		sphere: 'Общественные пространства',
		nomination: '',
		year: '2024',
		since: '2022',
		source: 'Школа мэров',
		tags: 'благоустройство, вовлечение жителей',
		contacts: '',
		contacts_consent: 'нет',
		result1_indicator: 'Дворы, благоустроенные по проектам жителей',
		result1_baseline: '0',
		result1_value: '18',
		result1_unit: 'дворов',
		result1_period: '2022–2024',
		result1_source: 'отчёт управления благоустройства'
	};
	const csv = '\uFEFF' + Papa.unparse({ fields: header, data: [header.map((k) => example[k] ?? '')] }, { newline: '\r\n' });
	return new Response(csv, { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="shablon-importa-praktik.csv"' } });
};
