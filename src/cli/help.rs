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
  transport-langevin run --spec F --out DIR [--full] [--pcn] | --spec F --explain K [--chain C]
  transport-langevin conform [--spec F] --trajectory T [--rtol R] [--atol A]
                               [--precision f64|f32] [--mode exact|statistical]
  transport-langevin small-ball --gamma G --beta-lambda BL --eps E [--c-mu C] [--decay P]
                               [--truncate K]
  transport-langevin help [COMMAND]

`transport-langevin COMMAND --help` explains each flag. The maths of one step
of the scheme, for every model kind: paper/oracle-maths.md.

Exit codes: 0 success, 1 a check against golden data failed or a trajectory
does not conform, 2 bad input, 3 conform's statistical mode is inconclusive.
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
transport-langevin run --spec F --explain K [--chain C]

Runs the spec's chains of the scheme and writes DIR/summary.json (per-step
mean empirical risk and squared norm over the chains, with standard errors)
and DIR/trajectory.json (per chain: states W_0..W_T, noise eps_0..eps_{T-1};
chain 0 at the top level, the others in `other_chains`; the problem block;
the input of `conform`).

  --spec F      the spec (JSON; `spec --example` prints one)
  --out DIR     output folder (created if missing)
  --full        write every chain's trajectory whatever its size; without it the
                trajectory holds the chains that fit in 100000 numbers per array
                (chains x (steps + 1) x modes x q), and a line on stdout says
                when it holds fewer chains than the spec or none
  --pcn         also run pCN-MH chains of the invariant measure and add their
                second-half means to summary.json
  --explain K   print (JSON, stdout) the intermediate values of step K (an integer
                in [0, steps): W_K and eps_K make W_{K+1}): gradient G, eta G,
                noise, noise scale sqrt(2 eta/beta), noise term, drift, the S_eta
                factors 1/(1 + eta lambda/mu_k), W_{K+1}, predictions, loss derivatives
  --chain C     the chain --explain follows (default 0)

Exit codes: 0 done, 2 bad input.
";

/// `conform --help`.
pub const HELP_CONFORM: &str = "transport-langevin conform [--spec F] --trajectory T [--rtol R] [--atol A]
                           [--precision f64|f32] [--mode exact|statistical]

Checks every chain of your trajectory against the reference scheme and names
the chain that differs. Exact mode (the default when every chain has `noise`):
each of your W_{k+1} is compared with the reference step from your W_k and
your eps_k (\"step k+1\" in the output is W_{k+1}). Statistical mode (the
default without noise): the second-half means of the empirical risk, of
||W||^2 and of ||W_{k+t} - W_k||^2 (consecutive kept states) of each chain
against the reference (exact for regression with the
squared loss, else 8 reference chains with split-R-hat <= 1.01), with
autocorrelation-aware standard errors and ESS; false-failure probability 1e-3;
a comparison rejects only with ESS >= 200; otherwise inconclusive (exit 3) when
an ESS is below 200 or the reference is unreliable.
See paper/oracle-maths.md, sections 9-12.

  --trajectory T  your trajectory (JSON: format_version, states, noise; spec optional)
  --spec F        the spec, if T does not embed one (must equal it if it does)
  --rtol R        relative tolerance, a real >= 0 (default: T's rtol, else 1e-9)
  --atol A        absolute tolerance, a real >= 0 (default: T's atol, else 1e-12);
                  a coordinate conforms when |reference - yours| <= atol + rtol |reference|
  --precision P   f64 (default) or f32: a float32 port's step conforms when
                  ||reference - yours||_2 is within the float32 rounding bound of one
                  step, scaled by the norms of W_k, eps_k and the gradient (exact mode)
  --mode M        exact or statistical (default: exact when T has noise)

Exit codes: 0 conforms, 1 does not conform (the chain, step and coordinate
that differ, reference and yours; the report's `explain` has the reference's
intermediate values of that step), 2 bad input, 3 inconclusive (statistical
mode: a chain too short or the reference unreliable, with ESS and R-hat).
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
