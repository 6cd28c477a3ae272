// The page the browser test renders: one step of a Software Template as Backstage's scaffolder
// shows it, with the same form library (react-jsonschema-form 5, its Material UI 4 theme and
// its ajv 8 validator, the versions @backstage/plugin-scaffolder-react pins). Plain JavaScript:
// it is bundled for the browser by the test, not type-checked with the Node sources.
import { createElement as h } from 'react';
import { render } from 'react-dom';
import Form from '@rjsf/material-ui';
import validator from '@rjsf/validator-ajv8';
import { Card, CardContent, Step, StepLabel, Stepper, Typography } from '@material-ui/core';

const page = window.__PAGE__;

function App() {
  return h(
    'div',
    { style: { maxWidth: 980, margin: '24px auto', fontFamily: 'Roboto, Helvetica, Arial, sans-serif' } },
    h(Typography, { variant: 'h4', gutterBottom: true }, page.title),
    h(Typography, { variant: 'body1', color: 'textSecondary', gutterBottom: true }, page.description),
    h(
      Card,
      { variant: 'outlined' },
      h(Stepper, { activeStep: page.active }, ...page.steps.map((title) => h(Step, { key: title }, h(StepLabel, null, title)))),
      h(
        CardContent,
        null,
        h(Form, {
          schema: page.schema,
          uiSchema: { ...page.uiSchema, 'ui:submitButtonOptions': { submitText: 'Review' } },
          validator,
          liveValidate: false,
          noHtml5Validate: true,
        }),
      ),
    ),
  );
}

render(h(App), document.getElementById('root'), () => {
  // Read by the test: the page's height, for a screenshot of all of it.
  document.documentElement.setAttribute('data-height', String(document.documentElement.scrollHeight));
});
