/** Images of the tool steps (docker, helm, helm-package, kubectl, nuget-package) = Config['images']. */
export interface ToolImages {
  kaniko: string;
  helm: string;
  kubectl: string;
  dotnet: string;
}

/** What a plan is made for: environment, inputs, stage and the variable layers. */
export interface PlanOptions {
  environment?: string;
  /** `-i k=v` values (strings; number inputs are parsed, invalid ones are errors). */
  inputs?: Record<string, string>;
  /** Plan only this stage (unknown name → error). */
  stage?: string;
  /** Warnings become errors. */
  strict?: boolean;
  images: ToolImages;
  /**
   * Variable layers below inputs and environment, highest first: build vars (BUILD_REF,
   * PROJECT_ID; the bot's forge facts GIT_*, REPO_*), WHARF_VAR_* (prefix stripped),
   * configured (REG_URL, CHART_REPO…), .wharf-vars.yml layers, then what `berth run`
   * estimates from the working tree (GIT_*, REPO_* from git and the folder).
   */
  buildVars?: Record<string, string>;
  wharfVars?: Record<string, string>;
  configuredVars?: Record<string, string>;
  varsFiles?: Array<Record<string, string>>;
  estimatedVars?: Record<string, string>;
}
