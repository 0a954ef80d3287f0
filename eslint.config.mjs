// Lint: ESLint's and typescript-eslint's recommended rules, and Pulumi's rules against Outputs in
// template literals (they print "Calling [toString] on an Output" instead of the value), which
// need type information. Formatting is prettier's job (.prettierrc.json), not ESLint's.
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
    // .stryker-tmp and reports: Stryker's sandboxes (copies of the tree) and reports.
    { ignores: ["node_modules/**", "bin/**", ".stryker-tmp/**", "reports/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
        },
    },
    {
        // `_`-prefixed names are deliberately unused (destructuring something away).
        rules: {
            "@typescript-eslint/no-unused-vars": [
                "error",
                { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
            ],
        },
    },
    {
        // These read the engine's resource records: inputs and state are JSON of every shape.
        // The program itself (the tiers, config, lib, index.ts) stays free of `any`.
        files: ["offline/**", "plan/**", "policy/**", "tests/**", "examples/**"],
        rules: { "@typescript-eslint/no-explicit-any": "off" },
    },
    {
        files: ["**/*.js"],
        languageOptions: {
            sourceType: "commonjs",
            globals: {
                require: "readonly",
                module: "writable",
                process: "readonly",
                __dirname: "readonly",
                Buffer: "readonly",
            },
        },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
