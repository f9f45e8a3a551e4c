//! The help texts: the overview and one text per command, listing its
//! flags with units and meaning (`--help`, `-h`, `help COMMAND`).

/// Usage text.
pub const USAGE: &str = "transport-langevin — reference implementation of Suzuki (NeurIPS 2020)

USAGE:
  transport-langevin reproduce [--quick] [--out DIR] [--only ID,...] [--seed N]
                               [--bless] [--check-golden] [--golden DIR]
  transport-langevin constants --c-mu C --lambda L --beta B --eta E --mu0 M
                               --grad-bound G --loss-bound R --delta D
  transport-langevin spec --example [--model KIND] [--spectrum KIND] | --schema
  transport-langevin run --spec F --out DIR [--full] [--pcn]
  transport-langevin conform [--spec F] --trajectory T [--rtol R] [--atol A]
  transport-langevin small-ball --gamma G --beta-lambda BL --eps E [--c-mu C] [--decay P]
                               [--truncate K]
  transport-langevin help [COMMAND]

`transport-langevin COMMAND --help` explains each flag. The maths of one step
of the scheme, for every model kind: paper/oracle-maths.md.

Exit codes: 0 success, 1 a check against golden data failed or a trajectory
does not conform, 2 bad input.
";

/// `reproduce --help`.
pub const HELP_REPRODUCE: &str = "transport-langevin reproduce [--quick] [--out DIR] [--only ID,...] [--seed N]
                             [--bless] [--check-golden] [--golden DIR]

Runs the audit: one record per statement of the paper, with a verdict.

  --quick           the small version (under 60 s) that the golden files pin
  --out DIR         output folder (default `out`): summary.json, report.md, evidence
  --only ID,...     run only these statements (comma-separated, case-insensitive:
                    s6,t1 is S6,T1); an unknown ID is rejected with the list of
                    valid ones (S1..S9, R1, A1..A4, P1, T1, L1, CF, T2, T2R, T3, C-..., Z-...)
  --seed N          master seed, an unsigned 64-bit integer (default 20201)
  --check-golden    compare the records with the golden files; exit 1 on a difference
                    (needs --quick and the default seed)
  --bless           rewrite the golden files from this run (needs --quick and the
                    default seed)
  --golden DIR      golden folder (default `golden`)

Exit codes: 0 done, 1 golden check failed, 2 bad input.
";

/// `constants --help`.
pub const HELP_CONSTANTS: &str = "transport-langevin constants --c-mu C --lambda L --beta B --eta E --mu0 M
                             --grad-bound G --loss-bound R --delta D

Prints the explicit constants of Proposition 1 as JSON: rho = 1/(1 + lambda eta/mu_0),
rho_pow = rho^(1/eta) (the contraction per unit time), b = (mu_0/lambda) B + c_mu/(beta lambda),
b_bar = max(b, 1), kappa = b_bar + 1, v_bar, lambda_star (the spectral gap Lambda*_eta)
and c_w0. All flags are required; all are dimensionless reals:

  --c-mu C          c_mu > 0 of the eigenvalue bound mu_k <= c_mu (k+1)^-2 (A1(i))
  --lambda L        regularisation lambda > 0
  --beta B          inverse temperature beta > eta
  --eta E           step size eta >= 0 (0: the continuous-time limit)
  --mu0 M           the largest eigenvalue mu_0 > 0
  --grad-bound G    B of A1(ii): |grad L(W)| <= B
  --loss-bound R    R_bar: 0 <= loss <= R_bar
  --delta D         delta in (0, 1), the free parameter of P1 in Lambda*_eta and C_W0

Exit codes: 0 done, 2 bad input.
";

/// `spec --help`.
pub const HELP_SPEC: &str = "transport-langevin spec --example [--model KIND] [--spectrum KIND]
transport-langevin spec --schema

Prints a problem spec (JSON, spec_version 1) for `run` and `conform`.

  --example          a complete, valid example spec (default: two-layer with a
                     gaussian-kernel spectrum)
  --model KIND       the example for this model kind: regression | two-layer | clipped |
                     discrete | deep | resnet | ot-map (the last four: the other models
                     of the general formulation, Z-discrete, Z-deep, Z-resnet, Z-ot)
  --spectrum KIND    the example for this spectrum kind: power-law (regression) |
                     gaussian-kernel (every other model; two-layer unless --model says)
  --schema           the JSON Schema (draft 2020-12) of a spec: every field, its type,
                     allowed values and meaning

The fields and the formulas they define: paper/oracle-maths.md.
Exit codes: 0 done, 2 bad input (e.g. a model with a spectrum it cannot use).
";

/// `run --help`.
pub const HELP_RUN: &str = "transport-langevin run --spec F --out DIR [--full] [--pcn]

Runs the spec's chains of the scheme and writes DIR/summary.json (per-step
mean empirical risk and squared norm over the chains, with standard errors)
and DIR/trajectory.json (chain 0: states W_0..W_T, noise eps_0..eps_{T-1}, the
problem block; the input of `conform`).

  --spec F      the spec (JSON; `spec --example` prints one)
  --out DIR     output folder (created if missing)
  --full        write the trajectory whatever its size; without it the trajectory
                is written only up to 100000 numbers per array ((steps + 1) x modes x q),
                and a line on stdout says when it is not
  --pcn         also run pCN-MH chains of the invariant measure and add their
                second-half means to summary.json

Exit codes: 0 done, 2 bad input.
";

/// `conform --help`.
pub const HELP_CONFORM: &str = "transport-langevin conform [--spec F] --trajectory T [--rtol R] [--atol A]

Checks your trajectory against the reference scheme. With `noise` in T, each
of your W_{k+1} is compared with the reference step from your W_k and your
eps_k (\"step k+1\" in the output is W_{k+1}); without it, second-half means
are compared by z tests.

  --trajectory T  your trajectory (JSON: format_version, states, noise; spec optional)
  --spec F        the spec, if T does not embed one (must equal it if it does)
  --rtol R        relative tolerance, a real >= 0 (default: T's rtol, else 1e-9)
  --atol A        absolute tolerance, a real >= 0 (default: T's atol, else 1e-12);
                  a coordinate conforms when |reference - yours| <= atol + rtol |reference|

Exit codes: 0 conforms, 1 does not conform (the first step and coordinate that
differ, reference and yours), 2 bad input.
";

/// `small-ball --help`.
pub const HELP_SMALL_BALL: &str = "transport-langevin small-ball --gamma G --beta-lambda BL --eps E [--c-mu C] [--decay P]
                              [--truncate K]

Prints -log P(sum_k s_k Z_k^2 <= eps^2), s_k = mu_k^(gamma+1) / (beta lambda),
mu_k = c_mu (k+1)^-p (the prior of CF), as JSON with an error bound.

  --gamma G          smoothness exponent gamma > -1 of the prior
  --beta-lambda BL   the product beta x lambda > 0
  --eps E            ball radius eps > 0 (in the norm of H)
  --c-mu C           c_mu > 0 (default 1)
  --decay P          decay p of mu_k (default 2)
  --truncate K       also the rigorous bracket of the K-term truncation (K >= 1)

Exit codes: 0 done, 2 bad input.
";

/// The help text of a command.
pub fn help_of(cmd: &str) -> Option<&'static str> {
    Some(match cmd {
        "reproduce" => HELP_REPRODUCE,
        "constants" => HELP_CONSTANTS,
        "spec" => HELP_SPEC,
        "run" => HELP_RUN,
        "conform" => HELP_CONFORM,
        "small-ball" => HELP_SMALL_BALL,
        _ => return None,
    })
}
