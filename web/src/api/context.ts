/** Hands the API client to every view. */
import { createContext, useContext } from "react";
import type { ApiClient } from "./client.ts";

/** The app's client; provided once by the App. */
export const ApiContext = createContext<ApiClient | null>(null);

/** The API client of the surrounding App. */
export function useApi(): ApiClient {
  const c = useContext(ApiContext);
  if (c === null) throw new Error("useApi outside ApiContext");
  return c;
}
