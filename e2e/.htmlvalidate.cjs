// html-validate's configuration for icare's pages: its recommended rules,
// and labels for every input.
module.exports = {
  extends: ["html-validate:recommended"],
  rules: {
    "input-missing-label": "error",
    // templ writes the doctype in lower case, which is valid HTML.
    "doctype-style": "off",
    // Repeated names are icare's form contract: a group of checkboxes (the
    // teams of an account), the group selects of a comparison (?g=…&g=…)
    // and the rows of a plan's habits each send one value per control.
    "form-dup-name": "off",
  },
};
