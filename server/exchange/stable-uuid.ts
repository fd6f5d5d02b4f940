// Stable UUIDs for exchange formats (c3voc guids, Atom entry ids): UUIDv5 of a name that never changes
// (a feed UID, a release id) in our own namespace, so the same thing always gets the same UUID.
import { v5 as uuidv5 } from 'uuid';

/** Our namespace: UUIDv5 of the service's domain in the URL namespace. */
const NAMESPACE = uuidv5('https://netagenda.dk/', uuidv5.URL);

export const stableUuid = (name: string): string => uuidv5(name, NAMESPACE);
