// Vite bundles CSS imports; TypeScript only needs to know they are modules.
declare module "*.css";
