//! Fisher's exact optimal univariate partition ("Jenks natural breaks"), fast.
//!
//! The optimum minimises the total sum of squared deviations from the class means.
//! An optimal partition never splits a run of equal values (moving the copies to the class with
//! the nearer mean never raises the sum), so the search runs over the distinct values weighted by
//! their counts.
//! `D[q][j]`, the least sum of squares of the first `j` distinct values in `q` classes, is
//! `min over i of D[q-1][i] + SS(i..j)`.
//! The sum of squares is a Monge cost, so the best `i` does not decrease as `j` grows, and each row
//! can be filled by divide and conquer in `O(n log n)` instead of `O(n^2)` (Wang and Song's
//! Ckmeans.1d.dp uses the same property).
//! Each `SS` is `O(1)` from prefix sums of values shifted by the median, which keeps the
//! cancellation in `S2 - S1^2 / W` small.

/// The class upper bounds of the optimal partition of `sorted` (ascending, finite, at least two
/// distinct values) into `k` classes; one class per distinct value when there are at most `k`.
/// Ties between equally good partitions go to the one whose last classes start earliest (the
/// largest last class), as in mapclassify.
pub(super) fn fisher_jenks(sorted: &[f64], k: usize) -> Vec<f64> {
    let (values, weights) = distinct(sorted);
    let n = values.len();
    if n <= k {
        return values;
    }
    let costs = Costs::new(&values, &weights);

    // arg[q][j]: where the last of q classes covering the first j distinct values starts.
    let mut arg = vec![vec![0u32; n + 1]; k + 1];
    let mut prev: Vec<f64> = (0..=n)
        .map(|j| {
            if j == 0 {
                f64::INFINITY
            } else {
                costs.ss(0, j)
            }
        })
        .collect();
    let mut cur = vec![f64::INFINITY; n + 1];
    for (q, arg_q) in arg.iter_mut().enumerate().skip(2) {
        // Only j with enough distinct values left for the remaining k - q classes matter.
        let (jlo, jhi) = (q, n - (k - q));
        cur.fill(f64::INFINITY);
        let mut solver = Row {
            costs: &costs,
            prev: &prev,
            cur: &mut cur,
            arg: arg_q,
        };
        solver.fill(jlo, jhi, q - 1, jhi - 1);
        std::mem::swap(&mut prev, &mut cur);
    }

    let mut uppers = vec![0.0; k];
    let mut j = n;
    for q in (1..=k).rev() {
        uppers[q - 1] = values[j - 1];
        if q > 1 {
            j = arg[q][j] as usize;
        }
    }
    uppers
}

/// The distinct values of a sorted slice and how often each occurs.
fn distinct(sorted: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let mut values = Vec::new();
    let mut weights: Vec<f64> = Vec::new();
    for &v in sorted {
        match values.last() {
            Some(&last) if last == v => {
                if let Some(w) = weights.last_mut() {
                    *w += 1.0;
                }
            }
            _ => {
                values.push(v);
                weights.push(1.0);
            }
        }
    }
    (values, weights)
}

/// Prefix sums for `O(1)` sums of squares of any run of distinct values.
struct Costs {
    w: Vec<f64>,
    s1: Vec<f64>,
    s2: Vec<f64>,
}

impl Costs {
    fn new(values: &[f64], weights: &[f64]) -> Self {
        let shift = values[values.len() / 2];
        let n = values.len();
        let (mut w, mut s1, mut s2) = (
            Vec::with_capacity(n + 1),
            Vec::with_capacity(n + 1),
            Vec::with_capacity(n + 1),
        );
        w.push(0.0);
        s1.push(0.0);
        s2.push(0.0);
        for (&v, &c) in values.iter().zip(weights) {
            let x = v - shift;
            w.push(w[w.len() - 1] + c);
            s1.push(s1[s1.len() - 1] + c * x);
            s2.push(s2[s2.len() - 1] + c * x * x);
        }
        Costs { w, s1, s2 }
    }

    /// The sum of squared deviations from their mean of distinct values `i..j` (with their counts).
    fn ss(&self, i: usize, j: usize) -> f64 {
        let w = self.w[j] - self.w[i];
        let s1 = self.s1[j] - self.s1[i];
        let s2 = self.s2[j] - self.s2[i];
        (s2 - s1 * s1 / w).max(0.0)
    }
}

/// One row `q` of the dynamic programme.
struct Row<'a> {
    costs: &'a Costs,
    prev: &'a [f64],
    cur: &'a mut [f64],
    arg: &'a mut [u32],
}

impl Row<'_> {
    /// Fills `cur[j]` for `j` in `jlo..=jhi`, knowing the best split of every such `j` lies in
    /// `ilo..=ihi`.
    fn fill(&mut self, jlo: usize, jhi: usize, ilo: usize, ihi: usize) {
        if jlo > jhi {
            return;
        }
        let mid = jlo + (jhi - jlo) / 2;
        let hi = ihi.min(mid - 1);
        let (mut best, mut best_i) = (f64::INFINITY, ilo);
        for i in ilo..=hi {
            let v = self.prev[i] + self.costs.ss(i, mid);
            // Strictly smaller: the first (earliest) of equal candidates stays.
            if v < best {
                best = v;
                best_i = i;
            }
        }
        self.cur[mid] = best;
        self.arg[mid] = best_i as u32;
        if mid > jlo {
            self.fill(jlo, mid - 1, ilo, best_i);
        }
        self.fill(mid + 1, jhi, best_i, ihi);
    }
}
