//! Classification speed: the exact Fisher-Jenks optimum on 100,000 values (the target:
//! "fast enough for 100,000 values"), next to quantiles and pretty breaks on the same column.
//!
//! The columns are generated (skewed like most social indicators, from a fixed-seed generator),
//! once with every value distinct and once rounded to one decimal, which leaves a few thousand
//! distinct values with many ties, as real indicator tables do.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion};
use quartier_geo::classify::{classify, Method};

/// A fixed-seed linear congruential generator, so every run classifies the same column.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `n` skewed values (a cube of uniform numbers times 1,000), optionally rounded to one decimal.
fn column(n: usize, rounded: bool) -> Vec<Option<f64>> {
    let mut rng = Lcg(2024);
    (0..n)
        .map(|_| {
            let x = rng.next();
            let v = x * x * x * 1000.0;
            Some(if rounded {
                (v * 10.0).round() / 10.0
            } else {
                v
            })
        })
        .collect()
}

fn jenks(c: &mut Criterion) {
    let mut group = c.benchmark_group("jenks");
    group.sample_size(20);
    for (label, n, rounded) in [
        ("1k_distinct", 1_000, false),
        ("100k_distinct", 100_000, false),
        ("100k_rounded", 100_000, true),
    ] {
        let values = column(n, rounded);
        for k in [5, 9] {
            group.bench_with_input(BenchmarkId::new(label, k), &k, |b, &k| {
                b.iter(|| classify(black_box(&values), Method::Jenks, k, None))
            });
        }
    }
    group.finish();
}

fn others(c: &mut Criterion) {
    let values = column(100_000, false);
    let mut group = c.benchmark_group("classify_100k");
    for method in [
        Method::Quantile,
        Method::EqualInterval,
        Method::StdDev,
        Method::Pretty,
    ] {
        group.bench_function(method.name(), |b| {
            b.iter(|| classify(black_box(&values), method, 7, None))
        });
    }
    group.finish();
}

criterion_group!(benches, jenks, others);
criterion_main!(benches);
