import { error } from '@sveltejs/kit';
import type { RequestHandler } from './$types';
import { guard } from '$lib/server/http/guards';
import { db } from '$lib/server/db/client';
import { textRefusal } from '$lib/server/http/page';
import { cachedDerived, cachedResults } from '$lib/server/results/cache';
import { parseMode } from '$lib/server/results/console';
import { CSV_TYPE, XLSX_TYPE, entriesCsv, entriesXlsx, fileResponse, jurorCsv, jurorIndex, jurorsXlsx, protocolXlsx } from '$lib/server/results/exports';

/**
 * Streamed exports of a round: entries.xlsx, entries.csv, jurors.xlsx, juror.csv?juror=<id>,
 * protocol.xlsx. `norm=none|zscore|model` (old links: on|off) overrides the contest's method (the console's switch).
 * The round's data and results come from the results cache (computed once per change).
 * An empty round answers 409 with a plain Russian message.
 */
export const GET: RequestHandler = (event) => {
	const { url, params } = event;
	const user = guard(event);
	const norm = url.searchParams.get('norm');
	try {
		const d = db();
		const { loaded: l, results: res } = cachedResults(d, params.roundId, { normalization: parseMode(norm) ?? undefined });
		const idx = () => cachedDerived(d, params.roundId, `jurorIndex:${res.settings.normalization}`, () => jurorIndex(l, res));
		const stem = `${l.contest.slug}-tur-${l.round.number}`;
		switch (params.file) {
			case 'entries.xlsx':
				return fileResponse(entriesXlsx(l, res), XLSX_TYPE, `${stem}-zayavki.xlsx`);
			case 'entries.csv':
				return fileResponse(entriesCsv(l, res), CSV_TYPE, `${stem}-zayavki.csv`);
			case 'jurors.xlsx':
				return fileResponse(jurorsXlsx(l, res, idx()), XLSX_TYPE, `${stem}-eksperty.xlsx`);
			case 'juror.csv': {
				const id = url.searchParams.get('juror') ?? '';
				return fileResponse(jurorCsv(l, res, id, idx()), CSV_TYPE, `${stem}-ekspert-${id.slice(0, 8)}.csv`);
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
