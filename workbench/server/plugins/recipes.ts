import fp from "fastify-plugin";
import type { RecipeTooling } from "../recipes/recipe-tooling";
import { recipesPackageTooling } from "../recipes/recipes-package";

declare module "fastify" {
  interface FastifyInstance {
    /** Checks recipe sources and reads their parameters (the recipes/ package). */
    recipes: RecipeTooling;
  }
}

/** Options of the recipes plugin. */
export interface RecipesPluginOptions {
  /** Replaces the recipes/ package's checker (tests). */
  tooling?: RecipeTooling;
}

/** Makes the recipe language's checker available to the services. */
export default fp<RecipesPluginOptions>(
  async (app, options) => {
    app.decorate("recipes", options.tooling ?? recipesPackageTooling);
  },
  { name: "recipes", fastify: "5.x" },
);
