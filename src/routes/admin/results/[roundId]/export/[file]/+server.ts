import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { guard } from '$lib/server/http/guards';
import { db } from '$lib/server/db/client';
import { textRefusal } from '$lib/server/http/page';
import { computeRound, loadRound } from '$lib/server/results/load';
import { CSV_TYPE, XLSX_TYPE, entriesCsv, entriesXlsx, fileResponse, jurorCsv, jurorsXlsx, protocolXlsx } from '$lib/server/results/exports';

/**
 * Streamed exports of a round: entries.xlsx, entries.csv, jurors.xlsx, juror.csv?juror=<id>,
 * protocol.xlsx. `norm=on|off` overrides the contest's normalization (the console's switch).
 * An empty round answers 409 with a plain Russian message.
 */
export const GET: RequestHandler = (event) => {
	const { url, params } = event;
	const user = guard(event);
	const norm = url.searchParams.get('norm');
	try {
		const l = loadRound(db(), params.roundId);
		const res = computeRound(l, { normalize: norm === 'on' ? true : norm === 'off' ? false : undefined });
		const stem = `${l.contest.slug}-tur-${l.round.number}`;
		switch (params.file) {
			case 'entries.xlsx':
				return fileResponse(entriesXlsx(l, res), XLSX_TYPE, `${stem}-zayavki.xlsx`);
			case 'entries.csv':
				return fileResponse(entriesCsv(l, res), CSV_TYPE, `${stem}-zayavki.csv`);
			case 'jurors.xlsx':
				return fileResponse(jurorsXlsx(l, res), XLSX_TYPE, `${stem}-eksperty.xlsx`);
			case 'juror.csv': {
				const id = url.searchParams.get('juror') ?? '';
				return fileResponse(jurorCsv(l, res, id), CSV_TYPE, `${stem}-ekspert-${id.slice(0, 8)}.csv`);
			}
			case 'protocol.xlsx':
				return fileResponse(protocolXlsx(l, res, { printedBy: `выгрузил(а) ${user.fio}` }), XLSX_TYPE, `${stem}-protokol.xlsx`);
			default:
				error(404, 'Такой выгрузки нет');
		}
	} catch (e) {
		return textRefusal(e);
	}
};
