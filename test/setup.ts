// Test defaults: quiet logs, manual clock. TEST_DATABASE_URL (mysql://…) runs the whole suite on MariaDB.
process.env.LOG_LEVEL ??= 'silent';
process.env.NODE_ENV ??= 'test';
