/**
 * storage/ holds S3 primitives only (client, presign, multipart, object helpers, the embedded
 * store): it imports no domain — no database, no applications, library, media or jobs. Who may
 * upload or read what is decided above it (applications/uploads.ts, library/files.ts,
 * media/intake.ts), so the folders do not import each other in circles.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const DIR = path.dirname(new URL(import.meta.url).pathname);
/** Infrastructure storage may use: configuration, installation keys, metrics and logs. */
const ALLOWED_PARENT = new Set(['../config', '../keys', '../ops/metrics', '../ops/log']);

function importsOf(file: string): string[] {
	const src = readFileSync(path.join(DIR, file), 'utf8');
	return [...src.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g), ...src.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
}

describe('storage/ is a layer of S3 primitives', () => {
	it('imports no domain module', () => {
		const files = readdirSync(DIR).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
		expect(files.length).toBeGreaterThan(3);
		const bad: string[] = [];
		for (const f of files)
			for (const spec of importsOf(f)) {
				const ok = spec.startsWith('node:') || spec.startsWith('@aws-sdk/') || spec === 's3rver' || spec.startsWith('./') || ALLOWED_PARENT.has(spec);
				if (!ok) bad.push(`${f} → ${spec}`);
			}
		expect(bad).toEqual([]);
	});

	it('GET URLs of private objects are signed in one place: presignGet', () => {
		const signers = readdirSync(path.join(DIR, '..'), { recursive: true, encoding: 'utf8' })
			.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
			.filter((f) => /new GetObjectCommand\(/.test(readFileSync(path.join(DIR, '..', f), 'utf8')) && /getSignedUrl\(/.test(readFileSync(path.join(DIR, '..', f), 'utf8')));
		expect(signers).toEqual(['storage/presign.ts']);
	});
});
