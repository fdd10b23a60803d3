/** The job kinds of the portal. Register once per process before starting a worker. */
import { registerHandler } from './queue';
import { mailHandler } from './mail';
import { mediaHandler, mediaRemote, sweepMedia } from '../media/process';
import { registerRemote } from './remote';
import { decisionMailHandler } from '../results/mailing';
import { sweepStaleUploads } from '../storage/uploads';

export function registerDefaultHandlers() {
	registerHandler(mailHandler);
	registerHandler(mediaHandler);
	registerHandler(decisionMailHandler);
	registerRemote(mediaRemote);
}

/** Housekeeping run by the worker every few minutes. */
export const defaultMaintenance = [sweepMedia, (db: Parameters<typeof sweepMedia>[0]) => sweepStaleUploads(db)];

/** Russian names of job kinds for the console. */
export const JOB_KIND_TITLE: Record<string, string> = {
	'mail.send': 'Отправка письма',
	'media.process': 'Обработка видео',
	'mail.decisions': 'Рассылка решений'
};
