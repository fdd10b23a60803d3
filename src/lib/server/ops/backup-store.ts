/**
 * Where backups live: a key prefix in S3 (BACKUP_S3_PREFIX in BACKUP_S3_BUCKET or S3_BUCKET) or a
 * folder (BACKUP_DIR). Both hold one "set" per backup:
 *
 *   <prefix><id>/portal.db.zst   the compressed snapshot
 *   <prefix><id>/manifest.json   written last: a set without it is not a backup
 *
 * `id` is the UTC time of the snapshot (2026-05-01T12-00-00-000Z), so names sort by time.
 * The folder store writes every file as `<name>.part` and renames it, so a killed backup never
 * leaves a complete-looking file; in S3 an object appears only when its upload succeeded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { putFile } from '../storage/put-file';

export const SNAPSHOT_FILE = 'portal.db.zst';
export const MANIFEST_FILE = 'manifest.json';

export interface BackupStore {
	/** s3://bucket/prefix or the folder, for messages. */
	readonly location: string;
	putFile(name: string, file: string): Promise<void>;
	putText(name: string, text: string): Promise<void>;
	getFile(name: string, dest: string): Promise<void>;
	/** null when there is no such file. */
	getText(name: string): Promise<string | null>;
	/** Every file name under the store (relative: `<id>/<file>`). */
	list(): Promise<string[]>;
	remove(names: string[]): Promise<void>;
}

export class DirStore implements BackupStore {
	readonly location: string;
	private root: string;
	constructor(dir: string) {
		this.root = path.resolve(dir);
		this.location = this.root + path.sep;
	}
	private full(name: string) {
		const p = path.resolve(this.root, name);
		if (!p.startsWith(this.location)) throw new Error(`недопустимое имя в хранилище копий: ${name}`);
		return p;
	}
	/** Written whole or not at all: into `name.part`, synced, then renamed over `name`. */
	private async atomically(name: string, write: (part: string) => Promise<void>) {
		const dest = this.full(name);
		await fs.promises.mkdir(path.dirname(dest), { recursive: true });
		const part = `${dest}.part`;
		await write(part);
		await fsyncFile(part);
		await fs.promises.rename(part, dest);
	}
	async putFile(name: string, file: string) {
		await this.atomically(name, (part) => fs.promises.copyFile(file, part));
	}
	async putText(name: string, text: string) {
		await this.atomically(name, (part) => fs.promises.writeFile(part, text));
	}
	async getFile(name: string, dest: string) {
		await fs.promises.copyFile(this.full(name), dest);
	}
	async getText(name: string) {
		try {
			return await fs.promises.readFile(this.full(name), 'utf8');
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
			throw e;
		}
	}
	async list() {
		const out: string[] = [];
		let ids: string[];
		try {
			ids = await fs.promises.readdir(this.root);
		} catch (e) {
			if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
			throw e;
		}
		for (const id of ids) {
			const st = await fs.promises.stat(path.join(this.root, id)).catch(() => null);
			if (!st?.isDirectory()) continue;
			for (const f of await fs.promises.readdir(path.join(this.root, id))) out.push(`${id}/${f}`);
		}
		return out.sort();
	}
	async remove(names: string[]) {
		const dirs = new Set<string>();
		for (const n of names) {
			await fs.promises.rm(this.full(n), { force: true });
			dirs.add(path.dirname(this.full(n)));
		}
		for (const d of dirs) await fs.promises.rmdir(d).catch(() => undefined);
	}
}

async function fsyncFile(file: string) {
	const h = await fs.promises.open(file, 'r+');
	try {
		await h.sync();
	} finally {
		await h.close();
	}
}

export class S3Store implements BackupStore {
	readonly location: string;
	private prefix: string;
	constructor(
		private client: S3Client,
		private bucket: string,
		prefix: string
	) {
		this.prefix = prefix.replace(/^\/+/, '').replace(/\/*$/, '/');
		this.location = `s3://${bucket}/${this.prefix}`;
	}
	async putFile(name: string, file: string) {
		await putFile(this.prefix + name, file, 'application/zstd', { client: this.client, bucket: this.bucket });
	}
	async putText(name: string, text: string) {
		await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.prefix + name, Body: text, ContentType: 'application/json' }));
	}
	async getFile(name: string, dest: string) {
		const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + name }));
		await pipeline(r.Body as Readable, fs.createWriteStream(dest));
	}
	async getText(name: string) {
		try {
			const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + name }));
			return await r.Body!.transformToString();
		} catch (e) {
			const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
			if ((e as Error).name === 'NoSuchKey' || status === 404) return null;
			throw e;
		}
	}
	async list() {
		const out: string[] = [];
		let token: string | undefined;
		do {
			const r = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, ContinuationToken: token }));
			for (const o of r.Contents ?? []) if (o.Key) out.push(o.Key.slice(this.prefix.length));
			token = r.IsTruncated ? r.NextContinuationToken : undefined;
		} while (token);
		return out.sort();
	}
	async remove(names: string[]) {
		// One DELETE per object: retention removes a few sets at a time, and every store speaks it.
		for (const n of names) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.prefix + n }));
	}
}
