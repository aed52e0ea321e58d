package dev.bpnet.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Pad-and-crop and flips, checked pixel by pixel against a direct shift of the image. */
class AugmentationTest {

  private static final ImageShape IMG = new ImageShape(2, 8, 8);

  /** B images whose pixel (c, y, x) is 1 + c * 100 + y * 10 + x: every value names its place. */
  private static Batch batch(int b, DataType dt) {
    double[] v = new double[b * IMG.size()];
    for (int i = 0; i < b; i++) {
      for (int c = 0; c < 2; c++) {
        for (int y = 0; y < 8; y++) {
          for (int x = 0; x < 8; x++) {
            v[i * IMG.size() + (c * 8 + y) * 8 + x] = 1 + c * 100 + y * 10 + x;
          }
        }
      }
    }
    return new Batch(Nd4j.create(v, new long[] {b, IMG.size()}, 'c').castTo(dt), Nd4j.zeros(dt, b, 1));
  }

  /** The (dy, dx, mirrored) that turned image {@code i} of the original into its augmented self. */
  private static int[] recover(double[] img) {
    // find a pixel inside the image: its value tells where it came from
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        double v = img[y * 8 + x];
        if (v != 0) {
          int sy = ((int) v - 1) % 100 / 10;
          int sx = ((int) v - 1) % 10;
          int dy = sy - y;
          // try both orientations against the whole image
          for (int m = 0; m < 2; m++) {
            int dx = (m == 1 ? sx - (7 - x) : sx - x);
            if (Math.abs(dx) <= 8 && matches(img, dy, dx, m == 1)) {
              return new int[] {dy, dx, m};
            }
          }
        }
      }
    }
    throw new AssertionError("no pixel of the image survived");
  }

  /** Whether every pixel of both channels is the shifted (and maybe mirrored) original or 0. */
  private static boolean matches(double[] img, int dy, int dx, boolean mirror) {
    for (int c = 0; c < 2; c++) {
      for (int y = 0; y < 8; y++) {
        for (int x = 0; x < 8; x++) {
          int sy = y + dy;
          int sx = (mirror ? 7 - x : x) + dx;
          double want = sy < 0 || sy >= 8 || sx < 0 || sx >= 8 ? 0 : 1 + c * 100 + sy * 10 + sx;
          if (img[(c * 8 + y) * 8 + x] != want) {
            return false;
          }
        }
      }
    }
    return true;
  }

  private static double[] image(Batch b, int i) {
    return b.features().getRow(i).toDoubleVector();
  }

  @Test
  void cropIsAShiftedCopyWithZerosShiftedInAndShiftsCoverMinusFourToFour() {
    Augmentation a = new Augmentation(IMG, 4, false);
    Set<Integer> dys = new TreeSet<>();
    Set<Integer> dxs = new TreeSet<>();
    for (long seed = 0; seed < 20; seed++) {
      Batch b = a.apply(batch(16, DataType.FLOAT), seed);
      for (int i = 0; i < 16; i++) {
        int[] s = recover(image(b, i));
        assertEquals(0, s[2], "no flips asked for");
        assertTrue(Math.abs(s[0]) <= 4 && Math.abs(s[1]) <= 4);
        dys.add(s[0]);
        dxs.add(s[1]);
      }
    }
    Set<Integer> all = new TreeSet<>(List.of(-4, -3, -2, -1, 0, 1, 2, 3, 4));
    assertEquals(all, dys);
    assertEquals(all, dxs);
  }

  @Test
  void flipMirrorsAboutHalfTheImagesExactly() {
    Augmentation a = new Augmentation(IMG, 0, true);
    Batch b = a.apply(batch(200, DataType.DOUBLE), 11);
    int mirrored = 0;
    for (int i = 0; i < 200; i++) {
      int[] s = recover(image(b, i));
      assertEquals(0, s[0]);
      assertEquals(0, s[1]);
      mirrored += s[2];
    }
    assertTrue(mirrored > 70 && mirrored < 130, "about half mirrored: " + mirrored);
    double[] row0 = image(b, 0);
    // a mirrored image has pixel (0, 0, 0) = original (0, 0, 7) = 8
    assertTrue(row0[0] == 1 || row0[0] == 8);
  }

  @Test
  void sameSeedSameBatchOtherSeedOther() {
    Augmentation a = new Augmentation(IMG, 4, true);
    INDArray x1 = a.apply(batch(8, DataType.FLOAT), 5).features();
    INDArray x2 = new Augmentation(IMG, 4, true).apply(batch(8, DataType.FLOAT), 5).features();
    INDArray x3 = a.apply(batch(8, DataType.FLOAT), 6).features();
    assertEquals(x1, x2);
    assertNotEquals(x1, x3);
  }

  @Test
  void fillValueIsShiftedInPerChannel() {
    Augmentation a = new Augmentation(IMG, 3, false, new double[] {-1, -2});
    int total = 0;
    for (long seed = 0; seed < 10; seed++) {
      double[] img = image(a.apply(batch(1, DataType.DOUBLE), seed), 0);
      int fills = 0;
      for (int j = 0; j < img.length; j++) {
        if (img[j] < 0) {
          assertEquals(j < 64 ? -1 : -2, img[j], "channel " + (j / 64) + "'s own fill");
          img[j] = 0;
          fills++;
        }
      }
      int[] s = recover(img);
      assertEquals(2 * (64 - (8 - Math.abs(s[0])) * (8 - Math.abs(s[1]))), fills);
      total += fills;
    }
    assertTrue(total > 0);
  }

  @Test
  void batchesApplyItPerBatchReproduciblyAndKeepTheOrder() {
    Dataset d = Dataset.of(batch(10, DataType.FLOAT).features(), Nd4j.arange(10).reshape(10, 1).castTo(DataType.FLOAT));
    Batches plain = new Batches(d, 4, 9);
    Batches aug = plain.augmented(new Augmentation(IMG, 4, true));
    List<Batch> e1 = new ArrayList<>();
    aug.epoch(2).forEach(e1::add);
    List<Batch> e2 = new ArrayList<>();
    aug.epoch(2).forEach(e2::add);
    List<Batch> p = new ArrayList<>();
    plain.epoch(2).forEach(p::add);
    assertEquals(3, e1.size());
    assertEquals(2, e1.get(2).size(), "last partial batch kept");
    for (int i = 0; i < 3; i++) {
      assertEquals(e1.get(i).features(), e2.get(i).features(), "same seed, epoch and batch: same images");
      assertEquals(p.get(i).labels(), e1.get(i).labels(), "augmentation does not change the order");
    }
    assertNotEquals(p.get(0).features(), e1.get(0).features());
    assertArrayEquals(batch(10, DataType.FLOAT).features().toFloatMatrix(), d.features().toFloatMatrix(),
        "the data set itself is never changed");
    assertThrows(IllegalArgumentException.class, () -> new Batches(Dataset.of(Nd4j.zeros(DataType.FLOAT, 2, 3),
        Nd4j.zeros(DataType.FLOAT, 2, 1)), 1, 1).augmented(new Augmentation(IMG, 4, true)));
  }
}
