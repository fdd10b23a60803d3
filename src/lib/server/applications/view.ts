import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../db/client';
import { nominations } from '../db/schema';
import { loadOwned, readiness } from './service';
import { acceptsEdits, graceEnd } from '../contests/deadline';
import type { Actor } from '../actor';
import { currentFiles } from './uploads';
import { presignGet } from '../storage/presign';
import { contestSettings } from '../contests/settings';
import { currentVideo } from '../media/queries';
import { toStatusDTO, videoState } from '../media/playback';

/** Everything the wizard shows about one of the applicant's applications. */
export async function applicationView(db: DbOrTx, actor: Actor, applicationId: string, now = new Date()) {
	const { app, contest } = loadOwned(db, actor, applicationId);
	const nom = db.select().from(nominations).where(eq(nominations.id, app.nominationId)).get()!;
	const s = contestSettings(contest.settings);
	const files = await Promise.all(
		currentFiles(db, app.id).map(async (f) => ({
			id: f.id,
			kind: f.kind,
			status: f.status,
			name: f.originalName,
			size: f.size ?? f.declaredSize ?? 0,
			error: f.error,
			durationSec: (f.facts as { durationSec?: number } | null)?.durationSec ?? null,
			url: f.status === 'uploaded' || f.status === 'ready' || f.status === 'processing' ? await presignGet(f.key, { type: f.mime, filename: f.originalName, expiresIn: 900 }) : null
		}))
	);
	const video = currentVideo(db, app.id);
	return {
		video: video ? { id: video.id, name: video.originalName, status: toStatusDTO(await videoState(db, video.id, { withPlayback: true })) } : null,
		application: {
			id: app.id,
			number: app.number,
			status: app.status,
			version: app.version,
			about: app.about as Record<string, string>,
			practice: app.practice as Record<string, string>,
			letterText: app.letterText,
			submittedAt: app.submittedAt?.getTime() ?? null,
			updatedAt: app.updatedAt.getTime(),
			consentAt: app.consentAt?.getTime() ?? null,
			contactsConsent: app.contactsConsent,
			videoConsent: app.videoConsent
		},
		contest: { slug: contest.slug, title: contest.title, closeAt: contest.closeAt.getTime(), graceEnd: graceEnd(contest).getTime(), phase: contest.phase },
		nomination: { title: nom.title, track: nom.track },
		editable: (app.status === 'draft' || app.status === 'submitted') && acceptsEdits(contest, now),
		limits: { videoMaxBytes: s.videoMaxBytes, videoMaxSeconds: s.videoMaxSeconds, videoFormats: s.videoFormats, letterMaxBytes: s.letterMaxBytes, letterMaxChars: s.letterMaxChars },
		files: files.filter((f) => f.status !== 'uploading' || true),
		readiness: readiness(db, app),
		serverNow: now.getTime()
	};
}
