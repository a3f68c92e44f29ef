/**
 * Profile type IDs: `<name>:<sample_type>:<sample_unit>:<period_type>:<period_unit>`.
 */
import { InvalidArgumentError } from "./errors.js";

/** A profile type, as the types.v1.ProfileType message carries it. */
export interface ProfileType {
  id: string;
  name: string;
  sampleType: string;
  sampleUnit: string;
  periodType: string;
  periodUnit: string;
}

/** Parses a profile type ID; an optional sixth `:delta` part is tolerated and ignored. */
export function parseProfileType(id: string): ProfileType {
  const parts = id.split(":");
  if (parts.length !== 5 && parts.length !== 6) {
    throw new InvalidArgumentError(
      "invalid_query",
      `profile-type selection must be of the form <name>:<sample-type>:<sample-unit>:<period-type>:<period-unit>(:delta), got(${parts.length}): ${JSON.stringify(id)}`,
    );
  }
  const [name, sampleType, sampleUnit, periodType, periodUnit] = parts as [string, string, string, string, string];
  return { id, name, sampleType, sampleUnit, periodType, periodUnit };
}

/** Builds the ID of a profile type from its parts. */
export function profileTypeId(name: string, sampleType: string, sampleUnit: string, periodType: string, periodUnit: string): string {
  return `${name}:${sampleType}:${sampleUnit}:${periodType}:${periodUnit}`;
}
