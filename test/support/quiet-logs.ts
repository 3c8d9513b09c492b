import 'reflect-metadata';
import { setLogLevel } from '../../src/common/logger';

// Tests assert on behaviour, not log lines; TEST_LOG_LEVEL=debug brings them back when investigating.
setLogLevel((process.env.TEST_LOG_LEVEL as 'debug' | undefined) ?? 'silent');
