// Restores a backup into an empty data folder (see README, «Учения: потеря машины»):
//   npm run restore -- --from latest
//   npm run restore -- --from 2026-05-01T12-00-00-000Z
// The store is the configured one (BACKUP_DIR or BACKUP_S3_PREFIX in S3). Refuses to overwrite an
// existing database; verifies the checksums, PRAGMA integrity_check and every table against the
// manifest; migrates a snapshot of an older portal. Exit code 1 with the reason when refused.
import { parseArgs } from 'node:util';
import { config, ConfigError } from '../src/lib/server/config';
import { configuredStore } from '../src/lib/server/ops/backup-service';
import { restoreBackup } from '../src/lib/server/ops/restore';

const { values } = parseArgs({ options: { from: { type: 'string' } } });
if (!values.from) {
	console.error('Ошибка: укажите --from latest или --from <идентификатор копии> (список: npm run backup -- --list)');
	process.exit(2);
}
try {
	const c = config();
	const store = configuredStore();
	const r = await restoreBackup({ store, from: values.from, dbPath: c.databasePath, log: (m) => console.log(`[восстановление] ${m}`) });
	console.log(
		`Восстановлена копия ${r.id} (${r.manifest.createdAt}) в ${r.dbPath}` +
			(r.migrated.length ? `; применены миграции: ${r.migrated.join(', ')}` : '; схема актуальна') +
			'. Запустите портал (npm start) с тем же S3_BUCKET: файлы заявок остаются в хранилище.'
	);
	process.exit(0);
} catch (e) {
	console.error(e instanceof ConfigError ? e.message : `Восстановление отклонено: ${(e as Error).message}`);
	process.exit(1);
}
