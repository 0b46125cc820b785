import { loadConfig } from '../config';
import { createLogger } from '../logger';

/** The admin bot process. The bot itself is built in its own issue; until then this says so. */
const config = loadConfig();
const logger = createLogger({ level: config.LOG_LEVEL, name: 'admin-bot' });
logger.warn('the admin bot is not built yet; nothing to run');
