/**
 * Secrets of one installation, generated at the first start and kept under DATA_DIR/keys
 * (folder 0700, files 0600): the key pair of the embedded S3 and the key that signs device
 * cookies. Nothing here comes from the code or the defaults, so two installations never share a
 * secret, and no well-known key opens the storage.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export function keysDir(dataDir: string): string {
	return path.join(path.resolve(dataDir), 'keys');
}

const cache = new Map<string, unknown>();

/**
 * Reads the secret `name` of the installation, creating it once with `make()`. Creation is atomic
 * across processes (the portal, `npm run worker`, the embedded S3): the file is written whole
 * under a temporary name and hard-linked into place, so a reader never sees half a file and the
 * first writer wins.
 */
export function installSecret<T>(dataDir: string, name: string, make: () => T): T {
	const dir = keysDir(dataDir);
	const file = path.join(dir, name);
	if (cache.has(file)) return cache.get(file) as T;
	fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
	if (!fs.existsSync(file)) {
		const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
		fs.writeFileSync(tmp, JSON.stringify(make()), { mode: 0o600, flag: 'wx' });
		try {
			fs.linkSync(tmp, file);
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
		} finally {
			fs.rmSync(tmp, { force: true });
		}
	}
	// A copy restored with looser permissions is tightened again.
	if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
	const value = JSON.parse(fs.readFileSync(file, 'utf8')) as T;
	cache.set(file, value);
	return value;
}

export interface S3Keys {
	accessKeyId: string;
	secretAccessKey: string;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** AWS-shaped: a 20-character access key id and a 40-character secret, both random. */
export function randomS3Keys(): S3Keys {
	const id = [...randomBytes(19)].map((b) => ALNUM[b % ALNUM.length]).join('');
	return { accessKeyId: `P${id}`, secretAccessKey: randomBytes(30).toString('base64url') };
}

/** The key pair of this installation's embedded S3 (DATA_DIR/keys/embedded-s3.json). */
export function embeddedS3Keys(dataDir: string): S3Keys {
	return installSecret(dataDir, 'embedded-s3.json', randomS3Keys);
}

/** The key that signs device cookies of the login throttle (DATA_DIR/keys/device-cookie.json). */
export function deviceCookieKey(dataDir: string): Buffer {
	return Buffer.from(installSecret(dataDir, 'device-cookie.json', () => ({ key: randomBytes(32).toString('base64url') })).key, 'base64url');
}
