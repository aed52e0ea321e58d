package dev.bpnet.runtime.data;

import static dev.bpnet.runtime.data.IdxReaderTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** CSV files: headers, label columns, and every kind of bad cell with its line and column. */
class CsvTest {

  @TempDir
  Path dir;

  private Path csv(String text) throws IOException {
    return Files.writeString(dir.resolve("d.csv"), text);
  }

  @Test
  void detectsHeaderAndReadsLabelsFromChosenColumn() throws IOException {
    Path f = csv("a,b,class\n0.5,1,2\n-1e-3, 4 ,0\n\n");
    Csv.Table t = Csv.table(f, new Csv.Options(-1, Csv.Header.AUTO));
    assertEquals(List.of("a", "b"), t.names());
    assertEquals(2, t.rows());
    assertArrayEquals(new int[] {2, 0}, t.labels());
    assertArrayEquals(new double[] {0.5, 1, -1e-3, 4}, t.features());
    Dataset d = Csv.read(f, new Csv.Options(2, Csv.Header.AUTO), DataType.FLOAT);
    assertEquals(3, d.classCount());
    assertEquals(1.0, d.labels().getDouble(0, 2));
  }

  @Test
  void numericFirstLineIsDataUnlessDeclaredHeader() throws IOException {
    Path f = csv("1,0.1,0.2\n0,0.3,0.4\n");
    assertEquals(2, Csv.table(f, Csv.Options.DEFAULT).rows());
    Csv.Table t = Csv.table(f, new Csv.Options(0, Csv.Header.YES));
    assertEquals(1, t.rows());
    assertArrayEquals(new int[] {0}, t.labels());
  }

  @Test
  void nonNumericCellGivesLineAndColumn() throws IOException {
    Path f = csv("label,x,y\n1,0.5,0.25\n0,0.1,abc\n");
    DataException e = assertThrows(DataException.class, () -> Csv.table(f, Csv.Options.DEFAULT));
    assertContains(e, f + ":3:7: 'abc' in column 2 (y) is not a number");
    Path g = csv("1,0.5,Infinity\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(g, Csv.Options.DEFAULT)),
        g + ":1:7: 'Infinity' in column 2 is not a finite number");
    Path h = csv("1,,2\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(h, Csv.Options.DEFAULT)),
        h + ":1:3: empty cell in column 1: every feature needs a number");
  }

  @Test
  void declaredNoHeaderMakesAHeaderLineAnError() throws IOException {
    Path f = csv("label,x\n1,2\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(f, new Csv.Options(0, Csv.Header.NO))),
        f + ":1:1: label 'label' in column 0 is not a class index", "if this line is a header, declare it");
  }

  @Test
  void raggedRowSaysFieldCounts() throws IOException {
    Path f = csv("1,2,3\n0,1,2\n1,2\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(f, Csv.Options.DEFAULT)),
        f + ":3: 2 fields, expected 3 as in line 1");
  }

  @Test
  void labelsMustBeWholeNumbersInRange() throws IOException {
    Path f = csv("1,2\n1.5,3\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(f, Csv.Options.DEFAULT)),
        f + ":2:1: label '1.5' in column 0 is not a class index");
    Path g = csv("1,2\n7,3\n");
    Csv.Table t = Csv.table(g, Csv.Options.DEFAULT);
    assertContains(assertThrows(DataException.class, () -> t.toDataset(5, DataType.FLOAT)),
        g.toString(), "label 7 at index 1 is out of range for 5 classes (expected 0..4)");
  }

  @Test
  void emptyFilesAndBadColumnsAreReported() throws IOException {
    Path f = csv("");
    assertContains(assertThrows(DataException.class, () -> Csv.table(f, Csv.Options.DEFAULT)), "no data lines (empty file)");
    Path g = csv("a,b\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(g, Csv.Options.DEFAULT)), "no data lines after the header");
    Path h = csv("1,2\n");
    assertContains(assertThrows(DataException.class, () -> Csv.table(h, new Csv.Options(5, Csv.Header.AUTO))),
        h + ":1: label column 5 does not exist: the line has 2 columns");
    assertContains(assertThrows(DataException.class, () -> Csv.table(dir.resolve("none.csv"), Csv.Options.DEFAULT)),
        "none.csv: no such file");
  }
}
