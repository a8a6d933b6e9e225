import { Account } from '../accounts/account.entity.js';
import { Instance } from '../instances/instance.entity.js';

/** Every TypeORM entity of the API role. */
export const ENTITIES = [Account, Instance];
