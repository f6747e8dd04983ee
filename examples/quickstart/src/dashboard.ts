// `npm run dashboard`: the jobservice CLI's `dashboard` command on this demo's store, read-only.
import { run } from '@jobservice/cli';

const folder = process.env.JOBSERVICE_DATA ?? '.jobservice-data/quickstart';
process.exitCode = await run(['dashboard', '--store', `fs:${folder}`, '--port', process.env.PORT ?? '8080']);
