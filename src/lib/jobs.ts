/** Russian words for the job console (shared by server and browser). */
export const JOB_STATUS_TITLE = {
	queued: 'в очереди',
	running: 'выполняется',
	done: 'выполнена',
	failed: 'ошибка',
	dead: 'попытки исчерпаны',
	cancelled: 'отменена'
} as const;
export type JobStatusName = keyof typeof JOB_STATUS_TITLE;

export const JOB_STATUS_TONE: Record<JobStatusName, string> = {
	queued: '',
	running: '',
	done: 'ok',
	failed: 'err',
	dead: 'err',
	cancelled: 'warn'
};

export const VIDEO_STATUS_TITLE: Record<string, string> = {
	uploading: 'загружаются',
	uploaded: 'загружены, не обработаны',
	processing: 'обрабатываются',
	ready: 'готовы',
	failed: 'ошибка обработки',
	rejected: 'отклонены при загрузке'
};
